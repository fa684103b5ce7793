// Roles in `skit.toml`: a role's flags and allow-lists, the empty role new names start from, and StreamKit's
// built-in `admin` and `user` roles that configured roles merge over.
import { Type, type Static } from '@streamkit/pipeline/core/typebox';
import { PERMISSION_FLAGS, PERMISSION_FLAG_DOCS, type PermissionFlag } from '@streamkit/pipeline/security';
import { strList } from './schema-keys';

const flagProps = Object.fromEntries(
  PERMISSION_FLAGS.map((f) => [f, Type.Boolean({ default: false, description: PERMISSION_FLAG_DOCS[f] })]),
) as { [K in PermissionFlag]: ReturnType<typeof Type.Boolean> };

export const RoleSchema = Type.Object(
  {
    ...flagProps,
    allowed_samples: strList([], 'Sample pipelines this role may see, as globs relative to samples_dir.'),
    allowed_nodes: strList([], 'Node kinds this role may use (`*` crosses `::`, e.g. "audio::*").'),
    allowed_plugins: strList([], 'Plugin node kinds this role may use or upload (e.g. "plugin::*").'),
    allowed_assets: strList([], 'Audio assets this role may list, e.g. "samples/audio/system/*".'),
  },
  {
    additionalProperties: false,
    description: 'A role: capability flags and glob allow-lists (empty = deny).',
  },
);
export type Role = Static<typeof RoleSchema>;

const allFlags = (value: boolean) =>
  Object.fromEntries(PERMISSION_FLAGS.map((f) => [f, value])) as Record<PermissionFlag, boolean>;

/** A role with every flag false and every list empty: what a new role name starts from. */
export const EMPTY_ROLE: Role = {
  ...allFlags(false),
  allowed_samples: [],
  allowed_nodes: [],
  allowed_plugins: [],
  allowed_assets: [],
};

/** StreamKit's built-in roles; roles in the config file merge over them key by key. */
export const BUILTIN_ROLES: Record<string, Role> = {
  admin: {
    ...allFlags(true),
    allowed_samples: ['*'],
    allowed_nodes: ['*'],
    allowed_plugins: ['*'],
    allowed_assets: ['*'],
  },
  user: {
    ...allFlags(true),
    load_plugins: false,
    delete_plugins: false,
    access_all_sessions: false,
    allowed_samples: [
      'oneshot/*.yml',
      'oneshot/*.yaml',
      'dynamic/*.yml',
      'dynamic/*.yaml',
      'user/*.yml',
      'user/*.yaml',
    ],
    allowed_nodes: [
      'audio::*',
      'containers::*',
      'transport::moq::*',
      'core::passthrough',
      'core::file_reader',
      'core::pacer',
      'core::json_serialize',
      'core::text_chunker',
      'core::script',
      'core::telemetry_tap',
      'core::telemetry_out',
      'core::sink',
      'plugin::*',
    ],
    allowed_plugins: ['plugin::*'],
    allowed_assets: ['samples/audio/system/*', 'samples/audio/user/*'],
  },
};
