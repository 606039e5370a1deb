import { existsSync, globSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// markdown-it: a CommonMark parser, so links, headings and code are told apart as a renderer does.
import MarkdownIt, { type Token } from 'markdown-it';
// github-slugger: GitHub's own heading-anchor algorithm, -1, -2 … suffixes included.
import GithubSlugger from 'github-slugger';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** README.md and every docs/*.md, as paths relative to the root. */
export function pages(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export function readPage(page: string): string {
  return readFileSync(join(ROOT, page), 'utf8');
}

const markdown = new MarkdownIt({ html: true });

// markdown-it maps blocks to lines, not inline tokens: remember where in its block's text each inline token starts.
const offsets = new WeakMap<Token, number>();
markdown.inline.State = class extends markdown.inline.State {
  override push(type: string, tag: string, nesting: -1 | 0 | 1): Token {
    const token = super.push(type, tag, nesting);
    offsets.set(token, this.pos);
    return token;
  }
};

/** The anchors of a page's headings, as GitHub makes them. */
export function anchors(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const tokens = markdown.parse(text, {});
  return new Set(
    tokens.flatMap((token, i) => {
      const inline = tokens[i + 1];
      if (token.type !== 'heading_open' || inline === undefined) return [];
      // The heading's text as rendered: its text and code, without markup or HTML tags.
      const rendered = (inline.children ?? []).map((t) => (t.type === 'text' || t.type === 'code_inline' ? t.content : '')).join('');
      return [slugger.slug(rendered)];
    }),
  );
}

export interface Link {
  readonly line: number;
  readonly target: string;
}

/** The links and images of a page (reference-style ones resolved), with their lines; code holds none. */
export function links(text: string): Link[] {
  const found: Link[] = [];
  let map: [number, number] | null = null; // a table cell has none: its row's
  for (const block of markdown.parse(text, {})) {
    map = block.map ?? map;
    if (block.type !== 'inline' || map === null) continue;
    for (const t of block.children ?? []) {
      const target = t.type === 'link_open' ? t.attrGet('href') : t.type === 'image' ? t.attrGet('src') : null;
      if (typeof target !== 'string') continue;
      found.push({ line: map[0] + block.content.slice(0, offsets.get(t)).split('\n').length, target });
    }
  }
  return found;
}

/** Whether a link leaves the repository (http:, https:, mailto: …). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * What is wrong with one relative link of `page`, or undefined when it
 * points at a file or folder that exists and, with a #fragment, at a heading
 * of that file.
 */
export function linkProblem(page: string, target: string): string | undefined {
  const hash = target.indexOf('#');
  const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const fragment = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), path);
  const shown = relative(ROOT, file) || '.';
  if (relative(ROOT, file).startsWith('..')) return `points outside the repository (${shown})`;
  if (!existsSync(file)) return `${shown} does not exist`;
  if (fragment === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `#${fragment} on ${shown}, which is not a Markdown file`;
  const known = anchors(readFileSync(file, 'utf8'));
  if (known.has(fragment)) return undefined;
  return `${shown} has no heading with the anchor #${fragment} (its anchors: ${[...known].join(', ')})`;
}

/** Every deploy/examples/… path a page names, in prose or in code, with its line. */
export function examplePaths(text: string): Link[] {
  return text.split('\n').flatMap((line, i) =>
    [...line.matchAll(/deploy\/examples(?:\/[\w.*-]*)*/g)].map((m) => ({ line: i + 1, target: m[0].replace(/\.+$/, '') })),
  );
}

/** Whether a deploy/examples path (a file, the folder, or a glob such as *.yaml) names something that exists. */
export function exampleExists(path: string): boolean {
  return globSync(path, { cwd: ROOT }).length > 0;
}
