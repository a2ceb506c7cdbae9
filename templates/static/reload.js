// reload.js: added by register serve only. It polls version.txt and
// reloads the page when a rebuild changed the site.
(function () {
  'use strict';
  var root = document.body.getAttribute('data-root') || '';
  var seen = null;
  function poll() {
    var x = new XMLHttpRequest();
    x.open('GET', root + 'version.txt', true);
    x.setRequestHeader('Cache-Control', 'no-cache');
    x.onload = function () {
      if (x.status === 200) {
        if (seen !== null && x.responseText !== seen) { window.location.reload(); return; }
        seen = x.responseText;
      }
      window.setTimeout(poll, 1000);
    };
    x.onerror = function () { window.setTimeout(poll, 2000); };
    x.send();
  }
  document.addEventListener('DOMContentLoaded', poll);
}());
