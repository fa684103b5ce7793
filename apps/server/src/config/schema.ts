// The single description of `skit.toml`: every key's type, default and documentation. Defaults, type
// checks, the printed TOML (`skit config default`) and the JSON Schema (`skit config schema`) derive from it.
import { Type, type Static } from '@streamkit/pipeline/core/typebox';
import { DEFAULT_ALLOWED_ORIGINS, PERMISSION_FLAGS, type PermissionFlag } from '@streamkit/pipeline/security';
import { BUILTIN_ROLES, RoleSchema } from './roles';
import { bool, int, oneOf, optInt, optStr, section, str, strList } from './schema-keys';

export { PERMISSION_FLAGS, type PermissionFlag };
export { BUILTIN_ROLES, EMPTY_ROLE, RoleSchema, type Role } from './roles';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

const PrewarmEntry = Type.Object(
  {
    kind: Type.String({ description: 'Plugin node kind to instantiate once at startup.' }),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Node params.' })),
    fallback_params: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Params for one retry after a failure.' }),
    ),
  },
  { additionalProperties: false },
);

const FetchRule = Type.Object(
  {
    url: Type.String({ description: 'URL pattern `scheme://host[:port]/path-glob`.' }),
    methods: Type.Array(Type.String(), { default: ['GET'], description: 'Allowed HTTP methods.' }),
  },
  { additionalProperties: false },
);

const Secret = Type.Object(
  {
    env: Type.String({ description: 'Environment variable holding the value (read once at startup).' }),
    type: oneOf(['url', 'token', 'apikey', 'string'] as const, 'string', 'What the secret is.'),
    allowed_fetch_urls: strList([], 'URL patterns the secret may be sent to (empty = no extra restriction).'),
    description: str('', 'Free text.'),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    server: section(
      {
        address: str('127.0.0.1:4545', 'Bind address `ip:port` (an IP literal; IPv6 as `[::1]:4545`).'),
        tls: bool(false, 'Serve HTTPS using cert_path and key_path (PEM).'),
        cert_path: str('', 'PEM certificate chain, required when tls = true.'),
        key_path: str('', 'PEM private key, required when tls = true.'),
        samples_dir: str(
          './samples/pipelines',
          'Root of the sample pipelines (oneshot/, dynamic/, demo/, user/).',
        ),
        max_body_size: int(104857600, 'Largest oneshot or plugin upload body, in bytes.', 1),
        base_path: optStr(
          'Serve everything under this prefix as well as at `/` (e.g. behind a proxy).',
          '/s/test',
        ),
        moq_address: optStr(
          'Reserved (StreamKit accepts it; MoQ shares the HTTP address).',
          '127.0.0.1:4545',
        ),
        moq_gateway_url: optStr(
          'MoQ gateway URL the UI connects to; returned by /api/v1/config.',
          'http://127.0.0.1:4545/moq',
        ),
        ui_dir: str('apps/ui/dist', 'Directory of the built web UI, served at `/` (ours).'),
        graphiql: bool(false, 'Serve the GraphiQL IDE at /graphiql (ours).'),
        graphql: section(
          {
            max_depth: int(16, 'Deepest selection nesting of a GraphQL operation (fragments expanded).', 1),
            max_aliases: int(50, 'Most aliased fields in one GraphQL document.'),
            max_fields: int(2000, 'Most field selections in one operation, with fragments expanded.', 1),
            max_tokens: int(10000, 'Most lexical tokens in a GraphQL document (parsing stops beyond).', 1),
            max_response_bytes: int(
              16777216,
              'Largest GraphQL result (HTTP body or WebSocket message); larger ones are replaced by an error.',
              1024,
            ),
            max_connections: int(128, 'GraphQL WebSocket connections open at once (new ones are closed).', 1),
            connection_init_timeout_ms: int(
              10000,
              'A GraphQL WebSocket that sends no connection_init within this time is closed.',
              100,
            ),
            max_subscriptions_per_connection: int(32, 'Live subscriptions on one GraphQL WebSocket.', 1),
            max_pending_events_per_connection: int(
              10000,
              'Events queued for one GraphQL WebSocket across its subscriptions; a reader this far behind is dropped.',
              1,
            ),
            max_outbound_buffer_bytes: int(
              4194304,
              'Bytes written to one GraphQL WebSocket but not yet taken by the client; beyond, it is dropped.',
              1024,
            ),
          },
          'GraphQL cost bounds and per-connection limits (ours).',
        ),
        control: section(
          {
            max_connections: int(
              128,
              'Control WebSockets (/api/v1/control) open at once; more are closed with 1013.',
              1,
            ),
            max_message_bytes: int(
              1048576,
              'Largest control message a client may send; a larger one is answered with an error, then closed.',
              256,
            ),
            max_messages_per_second: int(
              100,
              'Control requests handled per second and connection; faster senders are read more slowly.',
              1,
            ),
            max_pending_events: int(
              10000,
              'Structural events queued for one control client that stopped reading; beyond, it is closed ' +
                '(4008). States and stats coalesce per node and never count.',
              1,
            ),
            max_outbound_buffer_bytes: int(
              4194304,
              'Bytes written to one control WebSocket but not yet taken by the client; beyond, events wait ' +
                'in its queue and its requests are not read.',
              1024,
            ),
          },
          'StreamKit control WebSocket at /api/v1/control: per-server and per-connection bounds (ours).',
        ),
        cors: section(
          {
            allowed_origins: strList(
              DEFAULT_ALLOWED_ORIGINS,
              'Browser origins allowed for CORS, mutating API calls and WebSocket upgrades. ' +
                '"*" = any; "http://host:*" = any numeric port; otherwise exact. Empty = no CORS headers.',
            ),
          },
          'Cross-origin policy.',
        ),
      },
      'HTTP server.',
    ),
    plugins: section(
      {
        directory: str('.plugins', 'Plugin directory (native/ and wasm/ below it are created at startup).'),
        allow_http_management: bool(false, 'Allow uploading and deleting plugins over HTTP.'),
      },
      'Plugins.',
    ),
    permissions: section(
      {
        default_role: str('admin', 'Role used when neither the role header nor SK_ROLE names one.'),
        role_header: optStr(
          'Trusted request header naming the caller role (set by an authenticating proxy that strips client copies).',
          'x-streamkit-role',
        ),
        allow_insecure_no_auth: bool(
          false,
          'Allow binding a non-loopback address without role_header (everyone gets default_role).',
        ),
        max_concurrent_sessions: int(100, 'Most dynamic sessions alive at once (429 beyond).', 1),
        max_concurrent_oneshots: int(
          8,
          'Most oneshot pipelines running at once; more are refused with 429 (see docs/SECURITY.md).',
          1,
        ),
        roles: Type.Record(Type.String(), RoleSchema, {
          default: BUILTIN_ROLES,
          description:
            'Roles by name. Tables for admin/user merge over the built-ins; new roles start from all-false/empty.',
        }),
      },
      'Roles and permissions (no authentication: put a proxy in front for that).',
    ),
    security: section(
      {
        allowed_file_paths: strList(
          ['samples/**'],
          'Files core::file_reader and script_path may read (globs, relative to the working directory).',
        ),
        allowed_write_paths: strList([], 'Files core::file_writer may write (empty = writes disabled).'),
        allowed_fetch_urls: strList(
          ['*'],
          'URLs transport::http::fetcher may fetch (globs over the full URL; ours).',
        ),
      },
      'File and network access of nodes.',
    ),
    engine: section(
      {
        profile: Type.Optional(
          Type.Union(
            [Type.Literal('low-latency'), Type.Literal('balanced'), Type.Literal('high-throughput')],
            {
              description: 'Capacity preset: low-latency (8/4), balanced (32/16), high-throughput (128/64).',
              example: 'balanced',
            },
          ),
        ),
        packet_batch_size: int(32, 'Packets a node may drain greedily before yielding.', 1),
        workers: optInt(
          "Worker threads that run sessions and oneshot pipelines (absent: the machine's available parallelism; 0: everything on the main thread, for debugging).",
          2,
        ),
        worker_max_heap_mb: int(
          1024,
          'Heap limit of each worker thread in MiB; a worker over it is replaced and only its sessions fail (0: Node default).',
        ),
        worker_watchdog_ms: int(
          5000,
          'A worker whose event loop stalls this long (an endless loop in a node) is terminated and replaced (0: off).',
        ),
        worker_nice: Type.Integer({
          default: 5,
          minimum: 0,
          maximum: 19,
          description:
            'Scheduling niceness of the worker threads (0-19, per thread on Linux): when cores are contended the main thread (API, relay) runs first.',
        }),
        shutdown_drain_ms: int(
          5000,
          'On SIGTERM/SIGINT, how long running oneshot pipelines may finish before they are cancelled.',
        ),
        strict_params: bool(
          false,
          'Refuse node params a kind does not define (false: ignore them, as StreamKit does, and return a warning naming the node and param).',
        ),
        node_input_capacity: optInt('Packets queued per node input (engine default 128).', 128),
        pin_distributor_capacity: optInt('Packets queued per output fan-out (engine default 64).', 64),
        oneshot: section(
          {
            packet_batch_size: int(32, 'Batch size for oneshot pipelines.', 1),
            media_channel_capacity: optInt('Chunks queued from the upload (default 256).', 256),
            io_channel_capacity: optInt('Chunks queued towards the response (default 16).', 16),
          },
          'Oneshot pipelines.',
        ),
        limits: section(
          {
            max_nodes: int(1000, 'Most nodes in one pipeline (session or oneshot).', 1),
            max_connections: int(4000, 'Most connections in one pipeline.', 1),
            max_graph_depth: int(256, 'Most nodes on one chain of a pipeline (source to sink).', 1),
            max_yaml_bytes: int(1048576, 'Largest YAML document parsed (pipelines, samples), in bytes.', 1),
            max_yaml_depth: int(64, 'Deepest nesting of a YAML document.', 1),
            max_yaml_nodes: int(10000, 'Most YAML nodes in a document, aliases expanded.', 1),
            max_yaml_aliases: int(100, 'Most alias uses (*name) in a YAML document.', 1),
            max_packet_bytes: int(1048576, 'Largest packet a core::script or plugin may emit, in bytes.', 1),
            max_call_output_bytes: int(4194304, 'Most bytes a plugin may emit in one call.', 1),
            node_log_lines_per_sec: int(20, 'Log lines per second per node (the rest are counted).', 1),
            node_log_burst: int(100, 'Log lines a node may write in a burst.', 1),
          },
          'Bounds on what a caller controls; over a limit is a clear error naming the key.',
        ),
        advanced: section(
          {
            codec_channel_capacity: optInt('Codec worker queue length (default 32).', 32),
            stream_channel_capacity: optInt('Streaming queue length (default 8).', 8),
            demuxer_buffer_size: optInt('Demuxer read buffer in bytes (default 65536).', 65536),
            moq_peer_channel_capacity: optInt('MoQ peer queue length (default 100).', 100),
          },
          'Process-wide tuning.',
        ),
      },
      'Engine tuning for dynamic sessions.',
    ),
    log: section(
      {
        console_enable: bool(true, 'Log to stdout.'),
        console_level: oneOf(LOG_LEVELS, 'info', 'Console level: trace, debug, info, warn or error.'),
        console_format: oneOf(['text', 'json'] as const, 'text', 'Console format (ours): text or json.'),
        file_enable: bool(true, 'Log to file_path (appends).'),
        file_level: oneOf(LOG_LEVELS, 'info', 'File level.'),
        file_path: str('./skit.log', 'Log file.'),
        file_format: oneOf(['text', 'json'] as const, 'text', 'File format: text or json.'),
      },
      'Logging.',
    ),
    telemetry: section(
      {
        enable: bool(true, 'Collect metrics.'),
        tracing_enable: bool(false, 'Export traces (needs otlp_traces_endpoint).'),
        otlp_endpoint: optStr('OTLP/HTTP metrics endpoint.', 'http://127.0.0.1:4318/v1/metrics'),
        otlp_traces_endpoint: optStr('OTLP/HTTP traces endpoint.', 'http://127.0.0.1:4318/v1/traces'),
        otlp_headers: Type.Record(Type.String(), Type.String(), {
          default: {},
          description: 'Extra OTLP headers.',
        }),
        tokio_console: bool(false, 'Accepted for compatibility; no effect here.'),
      },
      'Telemetry.',
    ),
    models: section(
      {
        dir: str(
          'models',
          'Directory of speech models (Whisper, Kokoro, ...); StreamKit params such as `models/ggml-base.en-q5_1.bin` resolve here. `skit models list` shows what is present.',
        ),
      },
      'Speech models.',
    ),
    resources: section(
      {
        keep_models_loaded: bool(true, 'Keep plugin models in memory once loaded.'),
        max_memory_mb: optInt('Memory cap for loaded models when not keeping them (LRU).', 4096),
        prewarm: section(
          {
            enabled: bool(false, 'Instantiate the listed plugin nodes once after startup.'),
            plugins: Type.Array(PrewarmEntry, {
              default: [],
              description: 'Plugin nodes to warm up, each with params and optional fallback_params.',
              example: [
                { kind: 'plugin::native::whisper', params: { model_path: 'models/ggml-base.en.bin' } },
              ],
            }),
          },
          'Warm-up of heavy plugin nodes.',
        ),
      },
      'Shared resources (models).',
    ),
    script: section(
      {
        default_timeout_ms: Type.Integer({
          default: 100,
          minimum: 1,
          maximum: 60_000,
          description:
            'Default timeout_ms of core::script: wall-clock limit per call, awaited fetch included (the CPU deadline per synchronous slice is min(timeout_ms, 500) unless the node sets cpu_timeout_ms).',
        }),
        default_memory_limit_mb: int(64, 'Default heap limit of core::script, in MiB.', 1),
        global_fetch_allowlist: Type.Array(FetchRule, {
          default: [],
          description: 'URLs scripts may fetch (empty = every fetch() is blocked).',
          example: [{ url: 'https://api.openai.com/v1/chat/completions', methods: ['POST'] }],
        }),
        secrets: Type.Record(Type.String(), Secret, {
          default: {},
          description: 'Secrets scripts may send as headers; values come from environment variables.',
          example: {
            openai_key: {
              env: 'OPENAI_API_KEY',
              type: 'apikey',
              allowed_fetch_urls: ['https://api.openai.com/*'],
              description: 'OpenAI API key',
            },
          },
        }),
      },
      'The core::script node.',
    ),
    profiling: section(
      {
        enabled: bool(false, 'Enable /api/v1/profile/cpu and /heap for access_all_sessions roles (ours).'),
      },
      'Profiling endpoints.',
    ),
    moq: section(
      {
        http3: bool(
          true,
          'Serve MoQ over HTTP/3 WebTransport on UDP at the server port (the WebSocket path is always on).',
        ),
        max_sessions: int(1000, 'MoQ sessions open at once, over both transports.', 1),
        handshake_timeout_ms: int(
          10000,
          'A MoQ connection that has not completed its SETUP by then is closed, in milliseconds.',
          100,
        ),
        max_pending_handshakes: int(
          256,
          'Connections still in their handshake at once; the oldest is dropped to admit a new one.',
          1,
        ),
        max_streams_per_connection: int(
          256,
          'Streams a client may have open on one MoQ connection, per direction; more close the connection.',
          1,
        ),
        max_message_bytes: int(
          65536,
          'Largest MoQ control message (setup, announce, subscribe), in bytes.',
          1024,
        ),
        idle_timeout_ms: int(
          30000,
          'HTTP/3: a connection silent for this long is closed, in milliseconds.',
          1000,
        ),
        max_http3_connections: int(1000, 'HTTP/3 (QUIC) connections at once.', 1),
      },
      'MoQ relay (ours): transports and limits per connection.',
    ),
  },
  { additionalProperties: false },
);

/** The complete, validated configuration. */
export type Config = Static<typeof ConfigSchema>;
export type PermissionsConfig = Config['permissions'];

/** Recursive partial, for tests and overrides. Arrays are replaced, not merged. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
