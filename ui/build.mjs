// Bundles the designer studio (ui/studio/*.js and its CSS) into ui/static/studio/ and the
// leaders' dashboard (ui/analytics: Apache ECharts, sortable tables) into ui/static/analytics/
// with esbuild. `make setup` runs it after `npm ci`; the output is gitignored.
// `node build.mjs --watch` rebuilds.
import * as esbuild from 'esbuild';

const common = {
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['es2020'],
  legalComments: 'linked',
  logLevel: 'warning'
};

const bundles = [
  {
    ...common,
    entryPoints: ['studio/modeler.js', 'studio/studio.css'],
    outdir: 'static/studio',
    loader: {
      '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file', '.png': 'file',
      '.bpmn': 'text'
    }
  },
  {
    ...common,
    entryPoints: ['analytics/dashboard.js', 'analytics/analytics.css'],
    outdir: 'static/analytics'
  }
];

if (process.argv.includes('--watch')) {
  for (const options of bundles) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(bundles.map((options) => esbuild.build(options)));
}
