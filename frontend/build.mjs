// Build the front-end assets into build/static/ (served by Django as /static/).
//
//   npm ci && npm run build
//
// - frontend/tracker.scss  -> build/static/css/tracker.css (compressed, no map)
// - govuk-frontend.min.js  -> build/static/js/govuk-frontend.min.js
// - frontend/init.mjs      -> build/static/js/init.mjs (and filters.mjs, which it imports)
// - govuk-frontend assets  -> build/static/assets/ (images, manifest.json;
//   the GDS Transport fonts are deliberately NOT copied: that typeface is
//   licensed for GOV.UK only)
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const require = createRequire(import.meta.url)
const govukDist = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist', 'govuk')
const out = join(root, 'build', 'static')

for (const dir of ['css', 'js', 'assets']) {
  rmSync(join(out, dir), { recursive: true, force: true })
  mkdirSync(join(out, dir), { recursive: true })
}

// Styles
const result = sass.compile(join(root, 'frontend', 'tracker.scss'), {
  style: 'compressed',
  sourceMap: false,
  importers: [new sass.NodePackageImporter(root)],
  // Do not print deprecation warnings from inside node_modules.
  quietDeps: true
})
if (/GDS Transport/i.test(result.css)) {
  throw new Error('tracker.css still mentions "GDS Transport"; check $govuk-font-family')
}
writeFileSync(join(out, 'css', 'tracker.css'), result.css + '\n')

// Scripts
cpSync(join(govukDist, 'govuk-frontend.min.js'), join(out, 'js', 'govuk-frontend.min.js'))
cpSync(join(root, 'frontend', 'init.mjs'), join(out, 'js', 'init.mjs'))
cpSync(join(root, 'frontend', 'filters.mjs'), join(out, 'js', 'filters.mjs'))

// Static assets (without the GOV.UK-only fonts)
const assetsSrc = join(govukDist, 'assets')
cpSync(assetsSrc, join(out, 'assets'), {
  recursive: true,
  filter: (src) => {
    const rel = relative(assetsSrc, src)
    return !(rel === 'fonts' || rel.startsWith(`fonts${sep}`))
  }
})

console.log(`Built ${relative(root, out)}/{css/tracker.css,js/govuk-frontend.min.js,js/init.mjs,assets/}`)
