/** execCommand, the one door for local child processes: output trimming is the caller's choice. */
import { describe, expect, it } from 'vitest';
import { execCommand } from '../../src/core/exec.js';

describe('execCommand', () => {
  it('drops one final newline (\\n or \\r\\n) by default and keeps the output intact with stripFinalNewline: false', async () => {
    const script = "printf 'x\\n\\n'; printf 'e\\r\\n' >&2";
    expect(await execCommand('sh', ['-c', script])).toMatchObject({ rc: 0, stdout: 'x\n', stderr: 'e' });
    expect(await execCommand('sh', ['-c', script], { stripFinalNewline: false })).toMatchObject({ rc: 0, stdout: 'x\n\n', stderr: 'e\r\n' });
  });
});
