// Start GOV.UK Frontend's JavaScript components.
//
// Loaded as <script type="module">, so it only runs in browsers that GOV.UK
// Frontend supports. The GOV.UK page template normally adds these body
// classes with an inline script; our Content Security Policy forbids inline
// scripts, so it is done here instead. Pages work fully without JavaScript.
import { initAll } from './govuk-frontend.min.js'
import './filters.mjs'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
