// On phones, the item list's filters wait behind a "Show filters" button placed after the
// results count, so the results come first. Progressive enhancement: the button is in the page,
// hidden, and the filters are shown until this script runs; from tablet width up nothing changes.
// A form with errors stays open (its errors must be seen).
const phone = window.matchMedia('(max-width: 40.0525em)')

for (const button of document.querySelectorAll('.tracker-filters-toggle')) {
  const filters = document.getElementById(button.getAttribute('aria-controls'))
  if (!filters) continue

  const show = (open) => {
    filters.hidden = !open
    button.setAttribute('aria-expanded', String(open))
    button.textContent = open ? 'Hide filters' : 'Show filters'
  }
  const fit = () => {
    if (phone.matches) {
      button.hidden = false
      show(filters.hasAttribute('data-has-errors'))
    } else {
      button.hidden = true
      filters.hidden = false
    }
  }

  button.addEventListener('click', () => show(filters.hidden))
  phone.addEventListener('change', fit)
  fit()
}
