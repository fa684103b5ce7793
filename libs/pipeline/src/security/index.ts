// Framework-free security helpers: glob and origin matching, file-path and fetch-URL policies.
export { compileGlob, globMatch, matchesAny } from './glob';
export { DEFAULT_ALLOWED_ORIGINS, isOriginAllowed, originMatches } from './origin';
export { FilePathPolicy, type FilePathPolicyOptions } from './file-path-policy';
export { checkFetchUrl } from './fetch-policy';
export { openCheckedForRead, openCheckedForWrite } from './safe-open';
export { PERMISSION_FLAGS, PERMISSION_FLAG_DOCS, type PermissionFlag } from './permission-flags';
