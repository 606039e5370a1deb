import { join, resolve, dirname, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, exampleExists, examplePaths, isExternal, linkProblem, links, pages, readPage, ROOT } from './markdown.js';

// The README is the front page and docs/ holds the guides: every relative
// link must land on a file and, with a #fragment, on a heading of it; every
// deploy/examples path the docs name must exist; every guide must be
// reachable from the README. Each failure names the page, the line, the link
// and what is wrong.

describe('links in README.md and docs/', () => {
  it.each(pages())('%s: every relative link points at a file, and every #anchor at a heading', (page) => {
    const problems = links(readPage(page))
      .filter((link) => !isExternal(link.target))
      .flatMap((link) => {
        const problem = linkProblem(page, link.target);
        return problem === undefined ? [] : [`${page}:${link.line}: link (${link.target}): ${problem}`];
      });
    expect(problems).toEqual([]);
  });

  it.each(pages())('%s: every deploy/examples path it names exists', (page) => {
    const problems = examplePaths(readPage(page))
      .filter((path) => !exampleExists(path.target))
      .map((path) => `${page}:${path.line}: ${path.target} does not exist`);
    expect(problems).toEqual([]);
  });

  it('links every guide in docs/ from README.md', () => {
    const linked = new Set(
      links(readPage('README.md'))
        .filter((link) => !isExternal(link.target))
        .map((link) => relative(ROOT, resolve(dirname(join(ROOT, 'README.md')), link.target.split('#')[0] ?? ''))),
    );
    const unlinked = pages()
      .filter((page) => page.startsWith('docs/') && !linked.has(page))
      .map((page) => `README.md: no link to ${page}`);
    expect(unlinked).toEqual([]);
  });
});

describe('the checker itself', () => {
  it("makes GitHub's anchors from a heading's rendered text", () => {
    const page = '# A\n## Notes\n```sh\n# not a heading\n```\n## Notes\n## Checking: `kubectl flowshift lint`\n## See [the study](judge.md)\n';
    expect([...anchors(page)]).toEqual(['a', 'notes', 'notes-1', 'checking-kubectl-flowshift-lint', 'see-the-study']);
  });

  it('finds links, images and reference links outside code, with their lines', () => {
    const text =
      'See [the guide](docs/canary.md#how-a-release-proceeds)\nand `a\ncode span` then [a\nsplit one](x.md).\n\n`[a-z]([-a-z]*)`\n```\n[no](link.md)\n```\n| a | ![b](b.png) |\n|---|---|\n| [the ref][ref] | c |\n\n[ref]: docs/ref.md\n';
    expect(links(text)).toEqual([
      { line: 1, target: 'docs/canary.md#how-a-release-proceeds' },
      { line: 3, target: 'x.md' },
      { line: 10, target: 'b.png' },
      { line: 12, target: 'docs/ref.md' },
    ]);
  });

  it('names what is wrong with a link', () => {
    expect(linkProblem('README.md', 'docs/canary.md')).toBeUndefined();
    expect(linkProblem('README.md', 'docs/no-such-guide.md')).toBe('docs/no-such-guide.md does not exist');
    expect(linkProblem('docs/canary.md', 'install.md#no-such-heading')).toMatch(/^docs\/install\.md has no heading with the anchor #no-such-heading \(its anchors: .*running-the-controller/);
    expect(linkProblem('docs/canary.md', '../deploy/examples/')).toBeUndefined();
    expect(linkProblem('docs/canary.md', '../../etc/passwd')).toBe('points outside the repository (../etc/passwd)');
    expect(linkProblem('README.md', 'deploy/examples/#x')).toBe('#x on deploy/examples, which is not a Markdown file');
  });

  it('finds deploy/examples paths, globs included', () => {
    expect(examplePaths('a\nsee deploy/examples/*.yaml and `deploy/examples/canary.yaml`.')).toEqual([
      { line: 2, target: 'deploy/examples/*.yaml' },
      { line: 2, target: 'deploy/examples/canary.yaml' },
    ]);
    expect(exampleExists('deploy/examples/*.yaml')).toBe(true);
    expect(exampleExists('deploy/examples/*.nothing')).toBe(false);
    expect(exampleExists('deploy/examples/no-such-example.yaml')).toBe(false);
  });
});
