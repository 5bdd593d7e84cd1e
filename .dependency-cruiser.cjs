// Import rules, checked by `npm run lint` (depcruise). Type-only imports count too
// (tsPreCompilationDeps): a cycle through types still ties modules together.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: modules that cannot be read, tested or loaded on their own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'channels-stay-below',
      severity: 'error',
      comment: 'A channel sends; it never reaches up into the workers, the HTTP server, the dashboard, the desk, the subscription flow or the whole configuration (it gets its own settings).',
      from: { path: '^channels/' },
      to: { path: '^(workers/|src/(http|admin|desk|subscriptions|alerts|cli|bootstrap)/|src/(services|producer|channel-builder)\\.ts$|src/config/(schema|load)\\.ts$)' },
    },
    {
      name: 'core-imports-no-channel',
      severity: 'error',
      comment:
        'The core knows channels only through the registry, and only where their settings are merged (src/config/schema.ts): ' +
        'everything else reaches a channel through its module value (src/channel-module.ts) or the built channel map.',
      from: { path: '^(src|workers|bin)/', pathNot: '^src/config/schema\\.ts$' },
      to: { path: '^channels/' },
    },
    {
      name: 'channels-stay-apart',
      severity: 'error',
      comment: 'A channel is one folder: it never imports another channel (shared pieces live in src/render, src/platform-http.ts).',
      from: { path: '^channels/([^/]+)/' },
      to: { path: '^channels/([^/]+)/', pathNot: '^channels/$1/' },
    },
    {
      name: 'channel-types-import-no-channel',
      severity: 'error',
      comment: 'The types every channel shares import nothing of theirs, so no cycle can run through them.',
      from: { path: '^src/(channel-module|types|config/shared)\\.ts$' },
      to: { path: '^(channels/|src/config/schema\\.ts$)' },
    },
    {
      name: 'stores-stay-below',
      severity: 'error',
      comment: 'The Redis stores know Redis, not metrics, queues, HTTP or channels.',
      from: { path: '^src/store/' },
      to: { path: '^(channels/|workers/|src/(metrics|http|admin|desk|queue)/)' },
    },
    {
      name: 'render-is-pure',
      severity: 'error',
      comment: 'Rendering is pure text work: no Redis stores, queues, channels or servers.',
      from: { path: '^src/render/' },
      to: { path: '^(channels/|workers/|src/(store|queue|redis|http|admin|desk|metrics)/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
