import { describe, expect, it } from 'vitest';
import { viewPrinter } from '../../src/cli/status.js';
import { renderStatus } from '../../src/cli/status-view.js';
import { progressing, shopRollout } from './fixtures.js';

function printed(isTTY: boolean): { print: ReturnType<typeof viewPrinter>; output: string[] } {
  const output: string[] = [];
  return { print: viewPrinter({ isTTY, write: (text) => output.push(text) }), output };
}

const first = shopRollout(progressing);
const second = shopRollout({ ...progressing, canaryWeight: 40 });

describe('status -w printing', () => {
  it('on a terminal clears the screen and redraws each new view', () => {
    const { print, output } = printed(true);
    print(first);
    print(second);
    expect(output).toEqual([`\x1b[H\x1b[2J${renderStatus(first).join('\n')}\n`, `\x1b[H\x1b[2J${renderStatus(second).join('\n')}\n`]);
  });

  it('elsewhere appends each new view after a blank line', () => {
    const { print, output } = printed(false);
    print(first);
    print(second);
    expect(output.join('')).toBe(`${renderStatus(first).join('\n')}\n\n${renderStatus(second).join('\n')}\n`);
  });

  it('prints nothing for a change the view does not show', () => {
    const { print, output } = printed(false);
    print(first);
    print({ ...first, metadata: { ...first.metadata, resourceVersion: '42', annotations: { note: 'x' } } });
    expect(output).toHaveLength(1);
  });
});
