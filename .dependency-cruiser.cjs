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
      comment: 'A channel sends; it never reaches up into the workers, the HTTP server, the dashboard, the desk or the subscription flow.',
      from: { path: '^channels/' },
      to: { path: '^(workers/|src/(http|admin|desk|subscriptions|alerts|bot|cli|bootstrap)/|src/(services|producer)\\.ts$)' },
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
