/**
 * Server text shown in VS Code: escapeMessage leaves nothing VS Code's notification renderer turns
 * into a link (its own regex, vs/base/common/linkedText.ts, is the oracle here), escapeMarkdown
 * nothing Markdown turns into a link, image, HTML or formatting, escapeHtml nothing HTML reads.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, escapeMarkdown, escapeMessage, markdownCell, markdownCodeCell, markdownFence, showInvisible } from '../../src/ui/escape';

// Copied from VS Code 1.100 (vs/base/common/linkedText.ts), as code-server 4.100.3's workbench.js has it.
// eslint-disable-next-line no-useless-escape
const VSCODE_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^\)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
const links = (s: string) => [...s.matchAll(VSCODE_LINK)].map((m) => m[2]);

const HOSTILE = [
  '550 [click](command:workbench.action.terminal.new)',
  '550 [Upload](command:ftpWorkspace.upload?%5B%22ftp%3A%2F%2Fx%2F%22%2C%5B%7B%22scheme%22%3A%22file%22%2C%22path%22%3A%22%2Fhome%22%7D%5D%5D)',
  '425 See [the docs](https://evil.example/ "official help") now',
  '530 [a](file:///etc/passwd) and [B](COMMAND:x) and [c](Https://y)',
  'nested [[x](command:a)](command:b)',
  '[x]](command:a) [y](command:b)',
];

describe('escapeMessage: no link in a notification', () => {
  for (const text of HOSTILE) {
    test(JSON.stringify(text), () => {
      assert.ok(links(text).length > 0, 'the oracle sees a link in the raw text');
      const escaped = escapeMessage(text);
      assert.deepEqual(links(escaped), []);
      assert.equal(escaped.replace(/\] \(/g, ']('), text, 'only a space was added: the text reads the same');
    });
  }
  test('is idempotent, and leaves ordinary replies alone', () => {
    for (const t of [...HOSTILE, '227 Entering Passive Mode (127,0,0,1,195,80).']) assert.equal(escapeMessage(escapeMessage(t)), escapeMessage(t));
    assert.equal(escapeMessage('550 Permission denied.'), '550 Permission denied.');
    assert.equal(escapeMessage('227 Entering Passive Mode (127,0,0,1,195,80).'), '227 Entering Passive Mode (127,0,0,1,195,80).');
  });
  test('bidi overrides and control characters are shown, not obeyed', () => {
    assert.equal(escapeMessage('file\u202Etxt.exe'), 'file<U+202E>txt.exe');
    assert.equal(showInvisible('a\u0000b\u001bc\u200bd\u2066e'), 'a<U+0000>b<U+001B>c<U+200B>d<U+2066>e');
    assert.equal(showInvisible('tab\tand\nnewline'), 'tab\tand\nnewline');
  });
});

describe('escapeMarkdown: server text in a MarkdownString is text', () => {
  const hostile = '# [x](command:a) ![i](https://t.example/p.png) <img src=x onerror=y> *b* `c` __d__ ~~e~~ https://evil.example www.evil.example me@evil.example | &amp; {{f}} $(zap)';
  test('links, images, autolinks, HTML, emphasis, headings, code and entities are escaped', () => {
    const escaped = escapeMarkdown(hostile);
    // No Markdown-active character is left without its backslash.
    assert.doesNotMatch(escaped.replace(/\\./g, ''), /[\\`*_~[\]()<>!|&#{}@$]/, escaped);
    assert.ok(escaped.includes('https\\://t.example/p.png'), 'no bare URL autolink');
    assert.ok(escaped.includes('www\\.evil.example'), 'no www. autolink');
    assert.ok(escaped.includes('me\\@evil.example'), 'no e-mail autolink or mention');
  });
  test('reads back as the original once the backslashes are removed; addresses stay readable', () => {
    assert.equal(escapeMarkdown(hostile).replace(/\\(.)/g, '$1'), hostile);
    assert.equal(escapeMarkdown('530 Login incorrect on 192.0.2.10:21.'), '530 Login incorrect on 192.0.2.10:21.');
  });
  test('what only counts at the start of a line is escaped there', () => {
    assert.equal(escapeMarkdown('- a\n+ b\n1. c\n===\n  -d\ne-f 2. g'), '\\- a\n\\+ b\n1\\. c\n\\===\n  \\-d\ne-f 2. g');
  });
  test('table cells: pipes escaped, newlines as <br>', () => {
    assert.equal(markdownCell('a|b\nc'), 'a\\|b<br>c');
    assert.equal(markdownCell('`x`'), '\\`x\\`');
  });
  test('protocol text as code spans a backtick cannot close', () => {
    assert.equal(markdownCodeCell('PASS ****\nPWD'), '`PASS ****`<br>`PWD`');
    assert.equal(markdownCodeCell('550 `x` | [a](command:b) <b>'), '``550 `x` \\| [a](command:b) <b>``');
    assert.equal(markdownCodeCell('`edge`'), '`` `edge` ``');
    assert.equal(markdownCodeCell(''), '');
  });
  test('a fence the text cannot close', () => {
    assert.equal(markdownFence('{"a": 1}', 'json'), '```json\n{"a": 1}\n```');
    assert.equal(markdownFence('x ```` y'), '`````\nx ```` y\n`````');
  });
});

describe('escapeHtml', () => {
  test('no tag, attribute or entity survives', () => {
    assert.equal(escapeHtml('<a href="command:x" onclick=\'y\'>&amp;`</a>'), '&#60;a href=&#34;command:x&#34; onclick=&#39;y&#39;&#62;&#38;amp;&#96;&#60;/a&#62;');
    assert.equal(escapeHtml('x\u202Ey'), 'x&#60;U+202E&#62;y');
  });
});
