// seal.js opens the pages of an encrypted register tree (Go package
// site/seal describes the format). WebCrypto only, no libraries.
//
// A sealed page is a shell holding a passphrase form and, in the data
// block #register-sealed, the page encrypted with AES-256-GCM under the
// tree's data key, and that key wrapped under a key derived from the
// passphrase (PBKDF2-SHA256). Once unwrapped, the data key is kept in
// sessionStorage for this tab, so one passphrase opens every page until
// the reader presses Lock or closes the tab. The trade-off: any script
// running on the same origin could read it from there, which the strict
// Content-Security-Policy (scripts only from the site's own files) is
// meant to rule out; in exchange the passphrase itself is never stored.
(function () {
  'use strict';

  var FORMAT = 'register-seal/1';
  var PREFIX = 'register-seal:';
  var DOWNLOADS = /\.(json|csv|xml|atom|rss|txt|md|ics|svg)$/i;
  var TYPES = { json: 'application/json', csv: 'text/csv', xml: 'application/xml', atom: 'application/atom+xml', rss: 'application/rss+xml', svg: 'image/svg+xml', ics: 'text/calendar' };
  var utf8 = new TextEncoder();
  var memory = {}; // keys, when sessionStorage is unavailable
  var root = null; // URL of the tree's root folder

  function fromBase64(s) {
    var bin = atob(s);
    var b = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
    return b;
  }

  function toBase64(b) {
    var s = '';
    for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s);
  }

  function saveKey(kid, raw) {
    memory[kid] = raw;
    try { sessionStorage.setItem(PREFIX + kid, toBase64(raw)); } catch (e) { /* memory only */ }
  }

  function loadKey(kid) {
    try {
      var v = sessionStorage.getItem(PREFIX + kid);
      if (v) return fromBase64(v);
    } catch (e) { /* fall through */ }
    return memory[kid] || null;
  }

  function forgetKeys() {
    memory = {};
    try {
      for (var i = sessionStorage.length - 1; i >= 0; i--) {
        var k = sessionStorage.key(i);
        if (k && k.indexOf(PREFIX) === 0) sessionStorage.removeItem(k);
      }
    } catch (e) { /* nothing stored */ }
  }

  // relPath gives a URL's path inside the tree, the name the file was
  // sealed under. It comes from the address, not from the shell, so a
  // ciphertext moved to another page's place does not open.
  function relPath(url) {
    var p = new URL(url, location.href).pathname;
    if (p.indexOf(root.pathname) !== 0) return null;
    var rel = p.slice(root.pathname.length);
    if (rel === '' || rel.charAt(rel.length - 1) === '/') rel += 'index.html';
    return rel.split('/').map(decodeURIComponent).join('/');
  }

  function unwrap(passphrase, p) {
    return crypto.subtle.importKey('raw', utf8.encode(passphrase), 'PBKDF2', false, ['deriveKey'])
      .then(function (base) {
        return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: p.salt, iterations: p.iterations },
          base, { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
      })
      .then(function (kek) {
        return crypto.subtle.decrypt({ name: 'AES-GCM', iv: p.wrapped.slice(0, 12), additionalData: utf8.encode(FORMAT + ' key\u0000' + p.kid) },
          kek, p.wrapped.slice(12));
      })
      .then(function (raw) { return new Uint8Array(raw); });
  }

  function decrypt(raw, kid, rel, data) {
    return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt'])
      .then(function (key) {
        return crypto.subtle.decrypt({ name: 'AES-GCM', iv: data.slice(0, 12), additionalData: utf8.encode(FORMAT + '\u0000' + kid + '\u0000' + rel) },
          key, data.slice(12));
      });
  }

  function $(id) { return document.getElementById(id); }

  function state(s) { document.documentElement.setAttribute('data-seal', s); }

  function say(text) {
    var m = $('register-seal-message');
    m.textContent = text;
    m.hidden = false;
  }

  // render puts the decrypted page in place of the shell. Scripts parsed
  // by DOMParser never run, so each is made afresh (by src, or by text
  // for the hashed inline ones the CSP allows) and inserted in order.
  function render(html, focus) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var scripts = [];
    Array.prototype.forEach.call(doc.querySelectorAll('script'), function (s) {
      scripts.push({ parent: s.parentNode === doc.head ? 'head' : 'body', attrs: Array.prototype.slice.call(s.attributes), text: s.textContent });
      s.parentNode.removeChild(s);
    });
    var css = doc.createElement('link');
    css.rel = 'stylesheet';
    css.href = new URL('static/seal.css', root).href;
    doc.head.appendChild(css);
    var bar = doc.createElement('div');
    bar.className = 'register-seal-bar';
    bar.innerHTML = '<p class="register-seal-note" id="register-seal-note" role="status"></p>';
    var lock = doc.createElement('button');
    lock.type = 'button';
    lock.id = 'register-seal-lock';
    lock.className = 'register-seal-lock';
    lock.textContent = 'Lock: forget the passphrase in this tab';
    bar.insertBefore(lock, bar.firstChild);
    doc.body.insertBefore(bar, doc.body.firstChild);
    doc.documentElement.setAttribute('data-seal', 'opening');
    document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
    $('register-seal-lock').addEventListener('click', function () {
      forgetKeys();
      location.reload();
    });
    var loading = scripts.map(function (spec) {
      var s = document.createElement('script');
      spec.attrs.forEach(function (a) { s.setAttribute(a.name, a.value); });
      var done = Promise.resolve();
      if (s.src) {
        s.async = false;
        done = new Promise(function (resolve) { s.onload = s.onerror = resolve; });
      } else {
        s.text = spec.text;
      }
      document[spec.parent].appendChild(s);
      return done;
    });
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
    if (focus) {
      var main = document.querySelector('main') || document.body;
      if (!main.hasAttribute('tabindex')) main.setAttribute('tabindex', '-1');
      main.focus();
    }
    // data-seal="open" and the register:unsealed event say the page and
    // its scripts are in place.
    // The page's own scripts may wait for DOMContentLoaded, which fired
    // for the shell long ago: they get it again.
    return Promise.all(loading).then(function () {
      state('open');
      document.dispatchEvent(new Event('DOMContentLoaded', { bubbles: true }));
      document.dispatchEvent(new CustomEvent('register:unsealed'));
    });
  }

  function tampered() {
    $('register-seal-form').hidden = true;
    $('register-seal-wait').hidden = true;
    say('This page was changed or damaged after it was published, so it is not shown. Please tell the register\'s administrators.');
    state('tampered');
  }

  function open(p, raw, focus) {
    return decrypt(raw, p.kid, p.rel, p.data).then(function (plain) {
      var html;
      try { html = new TextDecoder('utf-8', { fatal: true }).decode(plain); } catch (e) { tampered(); return; }
      return render(html, focus);
    }, tampered);
  }

  var started = false;

  function start() {
    var el = $('register-sealed');
    if (started || !el || el.getAttribute('data-format') !== FORMAT) return;
    started = true;
    root = new URL(el.getAttribute('data-root'), location.href);
    if (!window.crypto || !crypto.subtle) {
      say('This browser cannot decrypt the page: it needs the Web Cryptography API, which browsers offer on HTTPS and local files only.');
      state('unsupported');
      return;
    }
    var p;
    try {
      p = {
        kid: el.getAttribute('data-kid'),
        salt: fromBase64(el.getAttribute('data-salt')),
        iterations: parseInt(el.getAttribute('data-iterations'), 10),
        wrapped: fromBase64(el.getAttribute('data-wrapped')),
        data: fromBase64(el.textContent.trim()),
        rel: relPath(location.href)
      };
    } catch (e) {
      tampered();
      return;
    }
    if (!(p.iterations >= 600000 && p.iterations <= 60000000) || p.rel === null || p.data.length < 28) {
      tampered();
      return;
    }
    var stored = loadKey(p.kid);
    if (stored) {
      open(p, stored, false);
      return;
    }
    var form = $('register-seal-form');
    var input = $('register-seal-passphrase');
    form.hidden = false;
    state('locked');
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var passphrase = input.value;
      $('register-seal-unlock').disabled = true;
      $('register-seal-wait').hidden = false;
      unwrap(passphrase, p).then(function (raw) {
        saveKey(p.kid, raw);
        return open(p, raw, true);
      }, function () {
        $('register-seal-unlock').disabled = false;
        $('register-seal-wait').hidden = true;
        input.value = '';
        say('That passphrase did not open this page. Check it and try again.');
        state('wrong');
        input.focus();
      });
    });
  }

  function isEnvelope(v) { return !!v && typeof v === 'object' && v.format === FORMAT; }

  // unseal decrypts the envelope of the data file at url (already
  // fetched and parsed as JSON) and returns its bytes.
  function unseal(url, env) {
    var raw = loadKey(env.kid);
    if (!raw) return Promise.reject(new Error('locked'));
    return decrypt(raw, env.kid, relPath(url), fromBase64(env.data)).then(function (b) { return new Uint8Array(b); });
  }

  // fetchSealed returns the decrypted bytes of a data file of the tree;
  // a file that is not sealed comes back as it is.
  function fetchSealed(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (res) {
      if (!res.ok) throw new Error(url + ': ' + res.status);
      return res.arrayBuffer();
    }).then(function (buf) {
      var env = null;
      try { env = JSON.parse(new TextDecoder().decode(buf)); } catch (e) { /* not an envelope */ }
      if (!isEnvelope(env)) return new Uint8Array(buf);
      return unseal(url, env);
    });
  }

  // Links to sealed data files (CSV, JSON, Atom) are decrypted and
  // offered as a download of the plain file.
  document.addEventListener('click', function (ev) {
    var a = ev.target.closest && ev.target.closest('a[href]');
    if (!a || !root || document.documentElement.getAttribute('data-seal') !== 'open') return;
    var url = new URL(a.getAttribute('href'), location.href);
    if (!DOWNLOADS.test(url.pathname) || relPath(url.href) === null) return;
    ev.preventDefault();
    var name = url.pathname.split('/').pop();
    fetchSealed(url.href).then(function (bytes) {
      var ext = name.split('.').pop().toLowerCase();
      var blobURL = URL.createObjectURL(new Blob([bytes], { type: TYPES[ext] || 'text/plain' }));
      var d = document.createElement('a');
      d.href = blobURL;
      d.download = name;
      document.body.appendChild(d);
      d.click();
      d.remove();
      setTimeout(function () { URL.revokeObjectURL(blobURL); }, 60000);
    }, function () {
      var note = $('register-seal-note');
      if (note) note.textContent = name + ' is encrypted and could not be opened here: encrypted downloads need the site served over HTTPS, not opened from a file.';
    });
  }, true);

  // The site's own scripts use these for sealed data: fetch(url) gives a
  // data file's bytes, sealed or not; a script that already holds the
  // parsed JSON of a file checks isEnvelope and calls unseal(url, json).
  window.registerSeal = {
    fetch: fetchSealed,
    isEnvelope: isEnvelope,
    unseal: unseal,
    lock: function () { forgetKeys(); location.reload(); }
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
