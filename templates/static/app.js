// app.js: search and the register's filter, per audience tree, from
// data/search.json. Hand-written and small; it builds the page with DOM
// calls and textContent only, so no text from the register is ever
// parsed as HTML. Everything else on the site works without it.
(function () {
  'use strict';
  document.documentElement.classList.add('app-js');
  var root = document.body ? document.body.getAttribute('data-root') || '' : '';

  function load(url, done) {
    var x = new XMLHttpRequest();
    x.open('GET', url);
    x.responseType = 'json';
    x.onload = function () { if (x.status === 200 && x.response) { done(x.response); } };
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
    a.setAttribute('href', root + 'cases/' + encodeURIComponent(c.id) + '/');
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

  document.addEventListener('DOMContentLoaded', function () {
    var f = document.getElementById('search-form');
    if (f) { search(f); }
    var box = document.getElementById('filter');
    if (box) { filter(box); }
  });
}());
