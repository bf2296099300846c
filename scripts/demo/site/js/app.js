document.querySelector('h1').addEventListener('click', () => alert('Saved over FTP!'));
