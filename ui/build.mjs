// Bundles the designer studio (ui/studio/*.js and its CSS) into ui/static/studio/ with esbuild.
// `make setup` runs it after `npm ci`; the output is gitignored. `node build.mjs --watch` rebuilds.
import * as esbuild from 'esbuild';

const options = {
  entryPoints: ['studio/modeler.js', 'studio/studio.css'],
  outdir: 'static/studio',
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['es2020'],
  legalComments: 'linked',
  loader: {
    '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file', '.png': 'file',
    '.bpmn': 'text'
  },
  logLevel: 'warning'
};

if (process.argv.includes('--watch')) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
