/**
 * Whether resourceVersion `mine` is newer than `theirs`. etcd's versions are
 * increasing integers; Kubernetes calls them opaque, so when either is not
 * one the answer is false and the caller trusts the informer.
 */
export function newerVersion(mine: string | undefined, theirs: string | undefined): boolean {
  const [a, b] = [Number(mine), Number(theirs)];
  return mine !== undefined && theirs !== undefined && mine !== '' && theirs !== '' && Number.isSafeInteger(a) && Number.isSafeInteger(b) && a > b;
}
