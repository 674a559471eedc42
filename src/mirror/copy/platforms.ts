/** Platform filters: `os/arch[/variant]` (or a bare `arch`, meaning linux/arch). Pure. */
import { UsageError } from '../../core/errors.js';
import type { Platform } from '../types.js';

export interface PlatformFilter {
  os: string;
  architecture: string;
  variant?: string;
  text: string;
}

export function parsePlatforms(list: string[]): PlatformFilter[] {
  return list.map((text) => {
    const parts = text.trim().split('/');
    if (parts.length === 1 && parts[0]) return { os: 'linux', architecture: parts[0], text };
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) {
      throw new UsageError('bad-platform', `invalid platform ${JSON.stringify(text)}`, { hint: 'write os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8' });
    }
    return { os: parts[0], architecture: parts[1], variant: parts[2], text };
  });
}

export function platformString(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function platformMatches(p: Platform | undefined, filters: PlatformFilter[]): boolean {
  if (!p) return false;
  return filters.some((f) => {
    if (f.os !== p.os || f.architecture !== p.architecture) return false;
    if (!f.variant) return true;
    // arm64's default variant is v8: an absent variant matches linux/arm64/v8.
    return f.variant === p.variant || (!p.variant && f.architecture === 'arm64' && f.variant === 'v8');
  });
}
