// Generated from the OpenAPI document (GET /api/v1/openapi.json) by `npm run gen:api`. Do not edit: change the server, then regenerate.
export interface paths {
  '/api/v1/assets/audio': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['AssetsController_list'];
    put?: never;
    post: operations['AssetsController_upload'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/assets/audio/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['AssetsController_file'];
    put?: never;
    post?: never;
    delete: operations['AssetsController_delete'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/config': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['ConfigController_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/moq/fingerprints': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['MoqController_fingerprints'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/permissions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['PermissionsController_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/plugins': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['PluginsController_list'];
    put?: never;
    post: operations['PluginsController_upload'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/plugins/{kind}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    delete: operations['PluginsController_remove'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/process': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post: operations['OneshotController_process'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/profile/cpu': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['ProfilingController_cpu'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/profile/heap': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['ProfilingController_heap'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/samples/dynamic': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['SamplesController_listDynamic'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/samples/oneshot': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['SamplesController_listOneshot'];
    put?: never;
    post: operations['SamplesController_save'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/samples/oneshot/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['SamplesController_get'];
    put?: never;
    post?: never;
    delete: operations['SamplesController_delete'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/schema/nodes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['SchemaController_nodes'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/schema/packets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['SchemaController_packets'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['SessionsController_list'];
    put?: never;
    post: operations['SessionsController_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sessions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    delete: operations['SessionsController_destroy'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sessions/{id}/pipeline': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['SessionsController_pipeline'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/certificate.sha256': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['MoqController_certificate'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['HealthController_health[1]'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['HealthController_health[0]'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['MetricsController_scrape'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    AudioAsset: {
      /** @description Container, from the extension: opus, ogg, flac, mp3 or wav */
      format: string;
      /** @description File name, e.g. `speech.opus` */
      id: string;
      /** @description Shipped with the server (read-only) */
      is_system: boolean;
      /** @description The SPDX license text beside the file, when there is one */
      license?: string;
      name: string;
      /** @description Path as `core::file_reader` takes it, e.g. `samples/audio/user/speech.opus` */
      path: string;
      size_bytes: number;
    };
    ClientConfig: {
      /** @description The path prefix the server is mounted under (`[server].base_path`) */
      base_path?: string;
      /** @description The MoQ gateway browsers connect to (WebTransport, or its WebSocket fallback) */
      moq_gateway_url: string;
      /** @description Whether `/api/v1/profile` is enabled */
      profiling: boolean;
      version: string;
    };
    ConnectionSpec: {
      from_node: string;
      from_pin: string;
      /**
       * @description Absent means `reliable`
       * @enum {string}
       */
      mode?: 'reliable' | 'best_effort';
      to_node: string;
      to_pin: string;
    };
    CreatedSession: {
      /** Format: date-time */
      created_at: string;
      name: string;
      session_id: string;
      /** @description Unknown params that were ignored (absent when none; refused under `[engine].strict_params`) */
      warnings?: components['schemas']['ParamWarning'][];
    };
    CreateSessionDto: {
      /** @description Unique session name; generated when absent */
      name?: string | null;
      /** @description Pipeline YAML (`steps` or `nodes`/`needs` form) */
      yaml: string;
    };
    DestroyedSession: {
      session_id: string;
    };
    HealthStatus: {
      /** @enum {string} */
      status: 'ok';
      /** @description The server version */
      version: string;
    };
    InputPinSpec: {
      accepts_types: (
        | ('Any' | 'Passthrough' | 'Binary' | 'Text' | 'OpusAudio' | 'Transcription')
        | {
            RawAudio: {
              /** @description 0 = any channel count */
              channels: number;
              /** @enum {string} */
              sample_format: 'F32' | 'S16Le';
              /** @description 0 = any rate */
              sample_rate: number;
            };
          }
        | {
            Custom: {
              type_id: string;
            };
          }
      )[];
      cardinality:
        | ('One' | 'Broadcast')
        | {
            Dynamic: {
              prefix: string;
            };
          };
      name: string;
    };
    MoqFingerprints: {
      /** @description SHA-256 fingerprints (hex) of the WebTransport certificates, for `serverCertificateHashes` */
      fingerprints: string[];
      /** @description Whether the HTTP/3 (WebTransport) listener is on */
      http3: boolean;
    };
    NodeSchemaEntry: {
      bidirectional: boolean;
      categories: string[];
      description?: string;
      inputs: components['schemas']['InputPinSpec'][];
      /** @description Node kind, e.g. `audio::gain` */
      kind: string;
      /** @description Only usable in oneshot pipelines */
      oneshot_only?: boolean;
      outputs: components['schemas']['OutputPinSpec'][];
      /** @description JSON Schema of the params (an object schema; `tunable` marks params changeable live) */
      param_schema: {
        [key: string]: unknown;
      };
    };
    NodeStats: {
      discarded: number;
      /** @description Seconds since the node's stats started */
      duration_secs: number;
      errored: number;
      /** @description Total time spent processing packets, in seconds */
      processing_secs: number;
      received: number;
      sent: number;
    };
    NodeView: {
      kind: string;
      params: {
        [key: string]: unknown;
      };
      state?:
        | ('Initializing' | 'Ready' | 'Running')
        | {
            Recovering: {
              details: unknown;
              reason: string;
            };
          }
        | {
            Degraded: {
              details: unknown;
              reason: string;
            };
          }
        | {
            Failed: {
              reason: string;
            };
          }
        | {
            Stopped: {
              reason: string;
            };
          };
      stats?: components['schemas']['NodeStats'];
    };
    OutputPinSpec: {
      cardinality:
        | ('One' | 'Broadcast')
        | {
            Dynamic: {
              prefix: string;
            };
          };
      name: string;
      produces_type:
        | ('Any' | 'Passthrough' | 'Binary' | 'Text' | 'OpusAudio' | 'Transcription')
        | {
            RawAudio: {
              /** @description 0 = any channel count */
              channels: number;
              /** @enum {string} */
              sample_format: 'F32' | 'S16Le';
              /** @description 0 = any rate */
              sample_rate: number;
            };
          }
        | {
            Custom: {
              type_id: string;
            };
          };
    };
    PacketCompatibilityAny: {
      /** @enum {string} */
      kind: 'any';
    };
    PacketCompatibilityExact: {
      /** @enum {string} */
      kind: 'exact';
    };
    PacketCompatibilityStructFieldWildcard: {
      fields: components['schemas']['PacketFieldWildcard'][];
      /** @enum {string} */
      kind: 'structfieldwildcard';
    };
    PacketFieldWildcard: {
      name: string;
      /** @description The field value that matches any value */
      wildcard_value?: number;
    };
    PacketTypeMeta: {
      /** @description CSS color of the pin and its edges */
      color: string;
      compatibility:
        | components['schemas']['PacketCompatibilityAny']
        | components['schemas']['PacketCompatibilityExact']
        | components['schemas']['PacketCompatibilityStructFieldWildcard'];
      /** @description Label with `{field|wildcard}` placeholders */
      display_template?: string;
      id: string;
      label: string;
    };
    ParamWarning: {
      message: string;
      node_id: string | null;
      /** @description Dotted path of the param */
      param: string | null;
    };
    PermissionsResponse: {
      permissions: {
        /** @description See and control every session, not only those created by this role. */
        access_all_sessions: boolean;
        /** @description Create dynamic sessions and run oneshot pipelines. */
        create_sessions: boolean;
        /** @description Delete user audio assets. */
        delete_assets: boolean;
        /** @description Unload plugins (also needs [plugins].allow_http_management). */
        delete_plugins: boolean;
        /** @description Delete user sample pipelines. */
        delete_samples: boolean;
        /** @description Destroy sessions (own ones unless access_all_sessions). */
        destroy_sessions: boolean;
        /** @description List node kinds over the control plane. */
        list_nodes: boolean;
        /** @description List sample pipelines. */
        list_samples: boolean;
        /** @description List sessions and read their pipelines. */
        list_sessions: boolean;
        /** @description Upload plugins (also needs [plugins].allow_http_management). */
        load_plugins: boolean;
        /** @description Add/remove nodes and connections, apply batches. */
        modify_sessions: boolean;
        /** @description Read a sample pipeline. */
        read_samples: boolean;
        /** @description Change node parameters while a session runs. */
        tune_nodes: boolean;
        /** @description Upload audio assets. */
        upload_assets: boolean;
        /** @description Save user sample pipelines. */
        write_samples: boolean;
      };
      /** @description The resolved role name (the session owner of what it creates) */
      role: string;
    };
    PipelineView: {
      connections: components['schemas']['ConnectionSpec'][];
      description?: string;
      /** @enum {string} */
      mode: 'dynamic';
      name?: string;
      /** @description Node id -> node, in insertion order */
      nodes: {
        [key: string]: components['schemas']['NodeView'];
      };
      /** @description The session's state when it runs on a worker */
      state?:
        | 'Running'
        | {
            Failed: {
              reason: string;
            };
          };
      /** @description The engine worker the session runs on (absent on the main thread) */
      worker?: number;
    };
    PluginSummary: {
      categories: string[];
      file_name: string;
      /** @description Registered kind, e.g. `plugin::wasm::gain` */
      kind: string;
      /** @description When it was loaded, in ms since the epoch */
      loaded_at_ms: number;
      /** @description The kind the plugin declared, e.g. `gain` */
      original_kind: string;
      /** @enum {string} */
      plugin_type: 'native' | 'wasm';
    };
    SamplePipeline: {
      description: string;
      /** @description Path relative to the samples folder, without extension, e.g. `user/mix` */
      id: string;
      is_fragment: boolean;
      /** @description Shipped with the server (read-only) */
      is_system: boolean;
      /** @enum {string} */
      mode: 'oneshot' | 'dynamic';
      name: string;
      /** @description Pipeline YAML (a fragment verbatim) */
      yaml: string;
    };
    SaveSampleDto: {
      /** @description Human-readable description */
      description: string;
      /** @description Store as a fragment, verbatim (default false) */
      is_fragment?: boolean;
      /** @description File name without extension */
      name: string;
      /** @description Replace an existing user sample (default false) */
      overwrite?: boolean;
      /** @description Pipeline YAML */
      yaml: string;
    };
    SessionInfo: {
      /** Format: date-time */
      created_at: string;
      id: string;
      name: string;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  AssetsController_list: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The assets the caller may see, by name */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AudioAsset'][];
        };
      };
    };
  };
  AssetsController_upload: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The audio file as the first file part (opus, ogg, flac, mp3 or wav) */
    requestBody: {
      content: {
        'multipart/form-data': {
          /** Format: binary */
          file: string;
        };
      };
    };
    responses: {
      /** @description The stored asset */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AudioAsset'];
        };
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Conflict (plain-text message) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Payload too large (plain-text message) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Unprocessable content (plain-text message) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  AssetsController_file: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The asset's bytes (content type by format) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'audio/flac': string;
          'audio/mpeg': string;
          'audio/ogg': string;
          'audio/wav': string;
        };
      };
      /** @description Not found (plain-text message) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  AssetsController_delete: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted (no body) */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Not found (plain-text message) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  ConfigController_get: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ClientConfig'];
        };
      };
    };
  };
  MoqController_fingerprints: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MoqFingerprints'];
        };
      };
    };
  };
  PermissionsController_get: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PermissionsResponse'];
        };
      };
    };
  };
  PluginsController_list: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The loaded plugins the caller may use */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PluginSummary'][];
        };
      };
    };
  };
  PluginsController_upload: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The plugin file (`.wasm`, or a native `.so`/`.dylib`/`.dll`) in the `plugin` part */
    requestBody: {
      content: {
        'multipart/form-data': {
          /** Format: binary */
          plugin: string;
        };
      };
    };
    responses: {
      /** @description The plugin was loaded */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PluginSummary'];
        };
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Payload too large (plain-text message) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Unprocessable content (plain-text message) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  PluginsController_remove: {
    parameters: {
      query?: {
        /** @description `true` or `1` keeps the file on disk */
        keep_file?: string;
      };
      header?: never;
      path: {
        kind: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The unloaded plugin */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PluginSummary'];
        };
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Unprocessable content (plain-text message) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  OneshotController_process: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Parts in order: `config` (the pipeline YAML, a field or a file), then optional `media` */
    requestBody: {
      content: {
        'multipart/form-data': {
          config: string;
          /** Format: binary */
          media?: string;
        };
      };
    };
    responses: {
      /** @description The pipeline's output, streamed. Its content type is http_output's `content_type`, else the feeding node's, else the input's, else application/octet-stream. A failure after the first byte aborts the response. */
      200: {
        headers: {
          /** @description JSON array of warnings (unknown params ignored), present when there are some */
          'x-skit-warnings'?: string;
          [name: string]: unknown;
        };
        content: {
          '*/*': string;
        };
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Payload too large (plain-text message) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Unprocessable content (plain-text message) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Too many requests (plain-text message) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description The pipeline failed before its first output byte (plain-text message) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Unavailable (plain-text message) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  ProfilingController_cpu: {
    parameters: {
      query?: {
        /** @description Seconds to sample, 1-300 (default 30) */
        duration_secs?: unknown;
        format?: 'flamegraph' | 'protobuf';
        /** @description Samples per second, 1-10000 (default 99) */
        frequency?: unknown;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A flame graph (SVG), or a gzipped pprof profile (`profile.pb.gz`) for `format=protobuf` */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/octet-stream': string;
          'image/svg+xml': string;
        };
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Too many requests (plain-text message) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Not enabled on this server (plain-text message) */
      501: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  ProfilingController_heap: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A gzipped pprof heap profile (`heap.pb.gz`) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/octet-stream': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Not enabled on this server (plain-text message) */
      501: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  SamplesController_listDynamic: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SamplePipeline'][];
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  SamplesController_listOneshot: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SamplePipeline'][];
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  SamplesController_save: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SaveSampleDto'];
      };
    };
    responses: {
      /** @description The saved sample */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SamplePipeline'];
        };
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Conflict (plain-text message) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Payload too large (plain-text message) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  SamplesController_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SamplePipeline'];
        };
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Not found (plain-text message) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Payload too large (plain-text message) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  SamplesController_delete: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted (no body) */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Not found (plain-text message) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  SchemaController_nodes: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The node kinds the caller's role may use */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeSchemaEntry'][];
        };
      };
    };
  };
  SchemaController_packets: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PacketTypeMeta'][];
        };
      };
    };
  };
  SessionsController_list: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SessionInfo'][];
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  SessionsController_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateSessionDto'];
      };
    };
    responses: {
      /** @description The session was created and runs */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreatedSession'];
        };
      };
      /** @description Invalid request (plain-text message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Conflict (plain-text message) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Too many requests (plain-text message) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  SessionsController_destroy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DestroyedSession'];
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Not found (plain-text message) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  SessionsController_pipeline: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The live pipeline with node states and stats */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PipelineView'];
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Not found (plain-text message) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  MoqController_certificate: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The first certificate's SHA-256 fingerprint (hex) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Unavailable (plain-text message) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
  'HealthController_health[1]': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HealthStatus'];
        };
      };
    };
  };
  'HealthController_health[0]': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HealthStatus'];
        };
      };
    };
  };
  MetricsController_scrape: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Prometheus text exposition (version 0.0.4) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Permission denied (plain-text message) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Not found (plain-text message) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
    };
  };
}
