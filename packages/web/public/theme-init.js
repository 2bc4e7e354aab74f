(function () {
  var t = null;
  try {
    t = localStorage.getItem('loft-theme');
  } catch {
    // Storage blocked (private mode): follow the system.
  }
  if (t !== 'light' && t !== 'dark')
    t = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.dataset.theme = t;
})();
