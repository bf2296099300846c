// A suite whose extension host dies mid-test with exit code 0: the runner must report failure.
exports.run = () => new Promise(() => setTimeout(() => process.exit(0), 50));
