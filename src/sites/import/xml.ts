/**
 * An XML document as a small tree of elements and text, read with saxes (a strict, non-validating
 * XML 1.0 parser: well-formedness errors are errors, and it never processes a DTD, so no entity of
 * a document's own is ever expanded and no external file is ever fetched). Elements deeper than
 * `maxDepth` are parsed for well-formedness but not kept, so a document nested a million deep
 * costs no more memory than a flat one.
 */
import { SaxesParser } from 'saxes';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Elements and text (entities decoded, CDATA as text), in document order. */
  children: Array<XmlElement | string>;
}

export class XmlError extends Error {}

export function parseXml(text: string, maxDepth: number): XmlElement {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let depth = 0;
  let root: XmlElement | undefined;
  let doctype = false;
  parser.on('doctype', () => {
    doctype = true;
  });
  parser.on('opentag', (tag) => {
    depth++;
    if (depth > maxDepth) return;
    const attributes: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(tag.attributes)) attributes[k] = v;
    const el: XmlElement = { name: tag.name, attributes, children: [] };
    if (stack.length) stack[stack.length - 1].children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    if (depth <= maxDepth) stack.pop();
    depth--;
  });
  const addText = (t: string) => {
    if (depth <= maxDepth && stack.length) stack[stack.length - 1].children.push(t);
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('error', (e) => {
    throw new XmlError(e.message);
  });
  parser.write(text).close();
  if (doctype) throw new XmlError('it has a document type declaration');
  if (!root) throw new XmlError('it has no root element');
  return root;
}

export const elements = (el: XmlElement): XmlElement[] => el.children.filter((c): c is XmlElement => typeof c !== 'string');
/** The element's own text (not its children's): a FileZilla folder's name. */
export const ownText = (el: XmlElement): string => el.children.filter((c): c is string => typeof c === 'string').join('');
/** All text inside the element, its children's included. */
export const textOf = (el: XmlElement): string => el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
