// Crier dashboard: small behaviours every page shares. Loaded as a file (the CSP allows no
// inline script). Forms marked data-confirm ask before they are sent.
/* global document, window, HTMLFormElement */
'use strict';
document.addEventListener('submit', (ev) => {
  const form = ev.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) ev.preventDefault();
});
