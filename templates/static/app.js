// app.js: search and the register's filter, per audience tree, from
// data/search.json, and the sortable tables of the register's lists.
// Hand-written and small; it builds the page with DOM calls and
// textContent only, so no text from the register is ever parsed as HTML.
// Everything else on the site works without it.
(function () {
  'use strict';
  document.documentElement.classList.add('app-js');
  var root = document.body ? document.body.getAttribute('data-root') || '' : '';

  function load(url, done) {
    var x = new XMLHttpRequest();
    x.open('GET', url);
    x.responseType = 'json';
    x.onload = function () {
      if (x.status !== 200 || !x.response) { return; }
      // In an encrypted tree (register build --encrypt) the file is an
      // envelope that seal.js opens with the key of this tab's session.
      var seal = window.registerSeal;
      if (seal && seal.isEnvelope(x.response)) {
        seal.unseal(url, x.response).then(function (b) { done(JSON.parse(new TextDecoder().decode(b))); });
        return;
      }
      done(x.response);
    };
    x.send();
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function caseLink(c) {
    var a = el('a', 'govuk-link', c.id);
    a.setAttribute('href', root + 'cases/' + encodeURIComponent(c.id) + '.html');
    return a;
  }

  function search(form) {
    var input = document.getElementById('search-q');
    var status = document.getElementById('search-status');
    var list = document.getElementById('search-results');
    var index = null;
    function run() {
      var q = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (!index) { return; }
      if (!q.length) { status.textContent = 'Type words to search for.'; return; }
      var hits = index.filter(function (c) {
        var hay = (c.id + ' ' + c.t + ' ' + c.s + ' ' + c.c + ' ' + (c.ty || []).join(' ') + ' ' + c.x).toLowerCase();
        return q.every(function (w) { return hay.indexOf(w) >= 0; });
      });
      status.textContent = hits.length + (hits.length === 1 ? ' case matches.' : ' cases match.');
      hits.slice(0, 200).forEach(function (c) {
        var li = el('li');
        li.appendChild(caseLink(c));
        li.appendChild(document.createTextNode(': ' + c.t + ' (' + c.s + ', reported ' + c.r + ')'));
        list.appendChild(li);
      });
    }
    status.textContent = 'Loading the search index…';
    load(form.getAttribute('data-index'), function (data) {
      index = data;
      status.textContent = 'Type words to search for.';
      var q = new URLSearchParams(window.location.search).get('q');
      if (q) { input.value = q; }
      run();
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var u = new URL(window.location.href);
      u.searchParams.set('q', input.value);
      window.history.replaceState(null, '', u.toString());
      run();
    });
    input.addEventListener('input', run);
  }

  function filter(box) {
    var form = document.getElementById('filter-form');
    var table = document.getElementById('filter-results');
    var body = table.querySelector('tbody');
    var count = document.getElementById('filter-count');
    var data = null;
    var key = 'id';
    var dir = 1;
    function val(name) { return form.elements[name].value; }
    function draw() {
      if (!data) { return; }
      var s = val('status'), c = val('category'), t = val('type'), y = val('year');
      var rows = data.filter(function (x) {
        return (!s || x.s === s) && (!c || x.c === c) && (!t || (x.ty || []).indexOf(t) >= 0) && (!y || String(x.y) === y);
      });
      rows.sort(function (a, b) { return a[key] < b[key] ? -dir : a[key] > b[key] ? dir : 0; });
      while (body.firstChild) { body.removeChild(body.firstChild); }
      rows.slice(0, 500).forEach(function (x) {
        var tr = el('tr', 'govuk-table__row');
        var td = el('td', 'govuk-table__cell');
        td.appendChild(caseLink(x));
        tr.appendChild(td);
        [x.t, x.s, x.c, x.r].forEach(function (v) { tr.appendChild(el('td', 'govuk-table__cell', v || '')); });
        body.appendChild(tr);
      });
      count.textContent = rows.length + (rows.length === 1 ? ' case matches' : ' cases match') +
        (rows.length > 500 ? '; the first 500 are shown.' : '.');
      table.hidden = false;
      table.querySelectorAll('th').forEach(function (th) {
        var b = th.querySelector('button');
        th.setAttribute('aria-sort', b.getAttribute('data-key') === key ? (dir > 0 ? 'ascending' : 'descending') : 'none');
      });
    }
    form.addEventListener('change', draw);
    form.addEventListener('submit', function (e) { e.preventDefault(); draw(); });
    table.querySelectorAll('th button').forEach(function (b) {
      b.addEventListener('click', function () {
        var k = b.getAttribute('data-key');
        dir = k === key ? -dir : 1;
        key = k;
        draw();
      });
    });
    load(box.getAttribute('data-index'), function (d) { data = d; draw(); });
  }

  // The arrows of the Ministry of Justice sortable table: up, down, and
  // both for a column not sorted on.
  var arrowPaths = {
    ascending: ['M6.5625 15.5L11 6.63125L15.4375 15.5H6.5625Z'],
    descending: ['M15.4375 7L11 15.8687L6.5625 7L15.4375 7Z'],
    none: ['M8.1875 9.5L10.9609 3.95703L13.7344 9.5H8.1875Z', 'M13.7344 12.0781L10.9609 17.6211L8.1875 12.0781H13.7344Z']
  };

  function arrow(direction) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    [['width', '22'], ['height', '22'], ['viewBox', '0 0 22 22'], ['fill', 'none'],
      ['focusable', 'false'], ['aria-hidden', 'true']].forEach(function (a) { svg.setAttribute(a[0], a[1]); });
    (arrowPaths[direction] || arrowPaths.none).forEach(function (d) {
      var p = document.createElementNS(ns, 'path');
      p.setAttribute('d', d);
      p.setAttribute('fill', 'currentColor');
      svg.appendChild(p);
    });
    return svg;
  }

  // cellValue is what a cell sorts by: its data-sort-value, else its
  // text; a number when it reads as one.
  function cellValue(cell) {
    var v = cell.hasAttribute('data-sort-value') ? cell.getAttribute('data-sort-value') : cell.textContent.trim();
    var n = Number(v);
    return v !== '' && isFinite(n) ? n : v;
  }

  // sortable is the Ministry of Justice sortable table: each header with
  // aria-sort becomes a button; a click sorts the table's rows by that
  // column, ascending first, then the other way, and says so in aria-sort
  // and to screen readers. Without JavaScript the table stays as the page
  // was built: a page of a list in its own order.
  function sortable(table) {
    var head = table.querySelector('thead');
    var body = table.querySelector('tbody');
    if (!head || !body) { return; }
    var headers = Array.prototype.slice.call(head.querySelectorAll('th'));
    var labels = [];
    headers.forEach(function (th, i) {
      labels[i] = th.textContent;
      if (!th.hasAttribute('aria-sort')) { return; }
      var b = el('button', null, th.textContent);
      b.type = 'button';
      b.setAttribute('data-index', String(i));
      th.textContent = '';
      th.appendChild(b);
    });
    var caption = table.querySelector('caption');
    if (caption) { caption.appendChild(el('span', 'govuk-visually-hidden', ' (column headers with buttons are sortable).')); }
    var status = el('div', 'govuk-visually-hidden');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    status.setAttribute('aria-atomic', 'true');
    table.parentNode.insertBefore(status, table.nextSibling);
    function arrows() {
      headers.forEach(function (th) {
        var b = th.querySelector('button');
        if (!b) { return; }
        var old = b.querySelector('svg');
        if (old) { b.removeChild(old); }
        b.appendChild(arrow(th.getAttribute('aria-sort')));
      });
    }
    arrows();
    head.addEventListener('click', function (e) {
      var b = e.target.closest ? e.target.closest('button') : null;
      if (!b || !head.contains(b)) { return; }
      var th = b.parentNode;
      var i = Number(b.getAttribute('data-index'));
      var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      var sign = dir === 'ascending' ? 1 : -1;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (ra, rb) {
        var ca = ra.cells[i], cb = rb.cells[i];
        if (!ca || !cb) { return 0; }
        var a = cellValue(ca), z = cellValue(cb);
        if (typeof a === 'number' && typeof z === 'number') { return sign * (a - z); }
        return sign * String(a).localeCompare(String(z), 'en-GB', { numeric: true });
      });
      rows.forEach(function (r) { body.appendChild(r); });
      headers.forEach(function (h) { if (h.hasAttribute('aria-sort')) { h.setAttribute('aria-sort', 'none'); } });
      th.setAttribute('aria-sort', dir);
      status.textContent = 'Sort by ' + labels[i] + ' (' + dir + ')';
      arrows();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('table[data-module="app-sortable-table"]').forEach(sortable);
    var f = document.getElementById('search-form');
    if (f) { search(f); }
    var box = document.getElementById('filter');
    if (box) { filter(box); }
  });
}());
