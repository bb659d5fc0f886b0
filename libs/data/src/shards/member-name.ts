/** How a tar member name maps onto a WebDataset sample (Python webdataset's `base_plus_ext` rule). */
export type MemberName =
  | { readonly kind: 'member'; readonly key: string; readonly extension: string }
  | { readonly kind: 'ignored'; readonly reason: 'no-extension' | 'hidden' | 'meta' }
  | { readonly kind: 'unsafe'; readonly reason: string };

/**
 * Splits a member path into sample key and extension: the key is the path up to the first dot of the basename
 * (folders kept), the extension is the rest, lower-cased (`a/b/x.seg.PNG` → key `a/b/x`, extension `seg.png`).
 * Members without an extension, hidden files (`.x`, `._x`, macOS resource forks) and webdataset meta files
 * (`__x__`) are ignored. Absolute paths, `..` segments and NUL bytes are reported unsafe: such names never become
 * keys, hence never output paths.
 */
export function parseMemberName(name: string): MemberName {
  const unsafe = unsafePathReason(name);
  if (unsafe) return { kind: 'unsafe', reason: unsafe };
  const normalized = name.startsWith('./') ? name.slice(2) : name;
  const slash = normalized.lastIndexOf('/');
  const folder = normalized.slice(0, slash + 1);
  const base = normalized.slice(slash + 1);
  if (base.startsWith('.')) return { kind: 'ignored', reason: 'hidden' };
  if (/^__[^/]*__/.test(base)) return { kind: 'ignored', reason: 'meta' };
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) return { kind: 'ignored', reason: 'no-extension' };
  return { kind: 'member', key: folder + base.slice(0, dot), extension: base.slice(dot + 1).toLowerCase() };
}

/** Why `name` must never be joined onto an output folder (absolute, `..` segment, NUL, backslash), or undefined. */
export function unsafePathReason(name: string): string | undefined {
  if (name.includes('\u0000')) return 'contains a NUL byte';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.split('/').includes('..')) return "contains a '..' segment";
  return undefined;
}
