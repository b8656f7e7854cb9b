// patrol console: keyboard work on the review queue and a page's detail.
// j/k next/previous row, o or Enter open, c confirm, d dismiss, m comment,
// x select the row for a bulk action. Plain script, no library, no network.
(function () {
  'use strict';
  var rows = [], cur = -1;

  function select(i) {
    if (!rows.length) return;
    if (i < 0) i = 0;
    if (i >= rows.length) i = rows.length - 1;
    if (cur >= 0) rows[cur].classList.remove('sel');
    cur = i;
    rows[cur].classList.add('sel');
    rows[cur].scrollIntoView({ block: 'nearest' });
  }

  function submitIn(el, cls) {
    var f = el && el.querySelector('.' + cls);
    if (!f) return;
    if (f.tagName === 'BUTTON') f.click(); else f.submit();
  }

  function comment(row) {
    var text = window.prompt('comment');
    if (text === null) return;
    row.querySelectorAll('input.comment').forEach(function (i) { i.value = text; });
  }

  document.addEventListener('DOMContentLoaded', function () {
    rows = Array.prototype.slice.call(document.querySelectorAll('#queue tr.row'));
    if (rows.length) select(0);
    var bulk = document.getElementById('bulk');
    if (bulk) {
      bulk.addEventListener('submit', function (ev) {
        var n = document.querySelectorAll('input[form=bulk]:checked').length;
        var ask = bulk.querySelector('.bulk-ask').textContent;
        if (!n || !window.confirm(n + ' ' + ask)) { ev.preventDefault(); return; }
        var sure = document.createElement('input');
        sure.type = 'hidden'; sure.name = 'sure'; sure.value = '1';
        bulk.appendChild(sure);
      });
    }
  });

  document.addEventListener('keydown', function (ev) {
    var t = ev.target.tagName;
    if (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var detail = document.getElementById('decide');
    var row = cur >= 0 ? rows[cur] : null;
    switch (ev.key) {
      case 'j': select(cur + 1); break;
      case 'k': select(cur - 1); break;
      case 'o': case 'Enter':
        if (row) { var a = row.querySelector('a.open'); if (a) window.location = a.href; }
        break;
      case 'c':
        if (row) submitIn(row, 'act-confirm'); else if (detail) submitIn(detail, 'act-confirm');
        break;
      case 'd':
        if (row) submitIn(row, 'act-dismiss'); else if (detail) submitIn(detail, 'act-dismiss');
        break;
      case 'm':
        if (row) comment(row);
        else if (detail) document.getElementById('comment').focus();
        break;
      case 'x':
        if (row) { var cb = row.querySelector('input[type=checkbox]'); if (cb) cb.checked = !cb.checked; }
        break;
      default: return;
    }
    ev.preventDefault();
  });
})();
