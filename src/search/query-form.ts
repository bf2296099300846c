/**
 * The question FTP: Find in Files asks: one quick pick whose typed text is what to find, and whose
 * rows say and change the options (Enter on a row): match case, whole word, regular expression,
 * files to include and to exclude. Enter on the first row searches. The answers are kept for the
 * next search of this window.
 */
import * as vscode from 'vscode';
import { escapeIcons, escapeMessage } from '../ui/escape';
import { compileQuery } from './matcher';

export interface QueryForm {
  pattern: string;
  isRegex: boolean;
  matchCase: boolean;
  wholeWord: boolean;
  include: string;
  exclude: string;
}

type Action = 'find' | 'matchCase' | 'wholeWord' | 'isRegex' | 'include' | 'exclude';

interface Row extends vscode.QuickPickItem {
  action: Action;
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

/** What is wrong with the pattern, or undefined when it can be searched. */
export function patternProblem(form: QueryForm): string | undefined {
  if (form.pattern === '') return 'Type the text to find.';
  try {
    compileQuery(form);
    return undefined;
  } catch (e) {
    return `Not a valid regular expression: ${(e as Error).message}`;
  }
}

function rows(form: QueryForm): Row[] {
  const problem = patternProblem(form);
  const options = [form.matchCase && 'match case', form.wholeWord && 'whole word', form.isRegex && 'regular expression'].filter(Boolean).join(', ') || 'any case, plain text';
  const where = [form.include && `in ${form.include}`, form.exclude && `not in ${form.exclude}`].filter(Boolean).join(', ');
  return [
    problem
      ? { action: 'find', label: `$(warning) ${escapeIcons(problem)}`, alwaysShow: true }
      : { action: 'find', label: `$(search) Find ${escapeIcons(JSON.stringify(form.pattern))}`, description: escapeIcons([options, where].filter(Boolean).join('; ')), alwaysShow: true },
    { action: 'matchCase', label: `$(case-sensitive) Match Case: ${onOff(form.matchCase)}`, alwaysShow: true },
    { action: 'wholeWord', label: `$(whole-word) Match Whole Word: ${onOff(form.wholeWord)}`, alwaysShow: true },
    { action: 'isRegex', label: `$(regex) Use Regular Expression: ${onOff(form.isRegex)}`, alwaysShow: true },
    { action: 'include', label: `$(filter) Files to Include: ${form.include ? escapeIcons(form.include) : 'all'}`, alwaysShow: true },
    { action: 'exclude', label: `$(exclude) Files to Exclude: ${form.exclude ? escapeIcons(form.exclude) : 'none'}`, alwaysShow: true },
  ];
}

/** One showing of the form; resolves with the row chosen that closes it (find, include, exclude), or undefined on Escape. */
function showForm(title: string, start: QueryForm): Promise<{ action: Action; form: QueryForm } | undefined> {
  const form = { ...start };
  const pick = vscode.window.createQuickPick<Row>();
  pick.title = title;
  pick.placeholder = 'Text to find; the rows below change the options (Enter)';
  pick.value = form.pattern;
  pick.items = rows(form);
  pick.ignoreFocusOut = false;
  return new Promise((resolve) => {
    let result: { action: Action; form: QueryForm } | undefined;
    pick.onDidChangeValue((v) => {
      form.pattern = v;
      pick.items = rows(form);
    });
    pick.onDidAccept(() => {
      const row = pick.activeItems[0] ?? pick.items[0];
      if (!row) return;
      if (row.action === 'matchCase' || row.action === 'wholeWord' || row.action === 'isRegex') {
        form[row.action] = !form[row.action];
        const items = rows(form);
        pick.items = items;
        pick.activeItems = items.filter((i) => i.action === row.action);
        return;
      }
      if (row.action === 'find' && patternProblem(form)) return;
      result = { action: row.action, form };
      pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(result);
    });
    pick.show();
  });
}

/** Asks what to find and how; undefined when the user pressed Escape. */
export async function askQuery(where: string, start: QueryForm): Promise<QueryForm | undefined> {
  let form = { ...start };
  const title = escapeMessage(`Find in Files: ${where}`);
  for (;;) {
    const step = await showForm(title, form);
    if (!step) return undefined;
    form = step.form;
    if (step.action === 'find') return form;
    const include = step.action === 'include';
    const value = await vscode.window.showInputBox({
      title,
      prompt: include ? 'Files to include: comma-separated globs, e.g. *.php, src/** (empty: all files)' : 'Files to exclude: comma-separated globs, e.g. vendor, *.min.js (empty: none)',
      value: include ? form.include : form.exclude,
    });
    if (value !== undefined) form = { ...form, [include ? 'include' : 'exclude']: value.trim() };
  }
}
