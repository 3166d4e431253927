// The data-item grid of the entry form (templates/scheming/form_snippets/govcatalog_grid.html):
// add and remove rows, take rows pasted from Excel (read and checked by the
// govcatalog_data_items_paste action, which refuses bad rows with the reason), and suggest data
// elements while a name is typed (data_element_suggest). Every control is a button, input or
// select, so the grid works with the keyboard alone.
(function () {
  'use strict';

  function csrfHeaders() {
    var field = document.querySelector('meta[name="csrf_field_name"]');
    var token = field && document.querySelector('meta[name="' + field.content + '"]');
    var headers = { 'Content-Type': 'application/json' };
    if (token) { headers['X-CSRFToken'] = token.content; }
    return headers;
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, key) {
      return key in values ? values[key] : m;
    });
  }

  function Grid(root) {
    this.root = root;
    this.field = root.dataset.gridField;
    this.body = root.querySelector('tbody');
    this.template = root.querySelector('template[data-grid-template]');
    this.status = root.querySelector('[role="status"]');
    this.refused = root.querySelector('.govcatalog-grid-refused');
    this.paste = root.querySelector('textarea');
    var self = this;
    root.querySelector('[data-grid-add]').addEventListener('click', function () {
      var row = self.addRow();
      var first = row.querySelector('input, select');
      if (first) { first.focus(); }
    });
    root.querySelector('[data-grid-paste]').addEventListener('click', function () {
      self.readPaste(self.paste.value);
    });
    this.body.addEventListener('click', function (event) {
      var button = event.target.closest('[data-grid-remove]');
      if (button) { self.removeRow(button.closest('tr')); }
    });
    // A paste of several cells straight into the grid goes through the same check.
    this.body.addEventListener('paste', function (event) {
      var text = (event.clipboardData || window.clipboardData).getData('text');
      if (text && (text.indexOf('\t') >= 0 || text.trim().indexOf('\n') >= 0)) {
        event.preventDefault();
        self.readPaste(text);
      }
    });
    this.suggestTimer = null;
    this.body.addEventListener('input', function (event) {
      if (event.target.dataset.suggest) { self.suggestSoon(event.target); }
    });
  }

  Grid.prototype.rows = function () {
    return Array.prototype.slice.call(this.body.querySelectorAll('tr'));
  };

  Grid.prototype.isEmpty = function (row) {
    return Array.prototype.every.call(row.querySelectorAll('input, select'), function (el) {
      return !el.value;
    });
  };

  Grid.prototype.addRow = function () {
    var index = this.rows().length;
    var html = this.template.innerHTML
      .replace(/ROWINDEX/g, String(index)).replace(/ROWNUMBER/g, String(index + 1));
    this.body.insertAdjacentHTML('beforeend', html);
    var row = this.body.lastElementChild;
    Array.prototype.forEach.call(row.querySelectorAll('[data-name]'), function (el) {
      el.setAttribute('name', el.getAttribute('data-name'));
      el.removeAttribute('data-name');
    });
    return row;
  };

  // Rows are numbered again after a removal, so the posted indexes stay 0..n-1 in order.
  Grid.prototype.renumber = function () {
    var field = this.field;
    this.rows().forEach(function (row, i) {
      var old = row.dataset.row;
      row.dataset.row = String(i);
      row.querySelector('th').textContent = String(i + 1);
      Array.prototype.forEach.call(row.querySelectorAll('[id],[name],[list],[aria-labelledby],[aria-describedby]'), function (el) {
        ['id', 'name', 'list', 'aria-labelledby', 'aria-describedby'].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) {
            el.setAttribute(attr, value.split(field + '-' + old + '-').join(field + '-' + i + '-')
              .split(field + '__' + old + '__').join(field + '__' + i + '__')
              .split('-row-' + old).join('-row-' + i));
          }
        });
      });
      var remove = row.querySelector('[data-grid-remove]');
      remove.setAttribute('aria-label', remove.getAttribute('aria-label').replace(/\d+/, String(i + 1)));
    });
  };

  Grid.prototype.removeRow = function (row) {
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    this.renumber();
    var focus = next && next.querySelector('[data-grid-remove]');
    (focus || this.root.querySelector('[data-grid-add]')).focus();
  };

  Grid.prototype.fill = function (row, values) {
    Object.keys(values).forEach(function (name) {
      var el = row.querySelector('[data-column="' + name + '"] input, [data-column="' + name + '"] select');
      if (el) { el.value = values[name]; }
    });
  };

  Grid.prototype.readPaste = function (text) {
    var self = this;
    var root = this.root;
    if (!text || !text.trim()) { return; }
    fetch(root.dataset.pasteUrl, {
      method: 'POST', credentials: 'same-origin', headers: csrfHeaders(),
      body: JSON.stringify({ text: text }),
    }).then(function (response) { return response.json(); }).then(function (answer) {
      if (!answer.success) { throw new Error('refused'); }
      var result = answer.result;
      // Pasted rows fill the empty rows first, then new ones are added.
      var empty = self.rows().filter(function (r) { return self.isEmpty(r); });
      result.rows.forEach(function (values) {
        self.fill(empty.shift() || self.addRow(), values);
      });
      self.refused.innerHTML = '';
      var refusedRows = {};
      result.errors.forEach(function (e) {
        var li = document.createElement('li');
        li.textContent = format(root.dataset.msgRow, { n: e.row }) + '：' + e.message;
        self.refused.appendChild(li);
        refusedRows[e.row] = true;
      });
      var message = format(root.dataset.msgAdded, { n: result.rows.length });
      var refusedCount = Object.keys(refusedRows).length;
      if (refusedCount) { message += ' ' + format(root.dataset.msgRefused, { n: refusedCount }); }
      self.status.textContent = message;
      if (!refusedCount && self.paste.value === text) { self.paste.value = ''; }
    }).catch(function () {
      self.status.textContent = root.dataset.msgFailed;
    });
  };

  Grid.prototype.suggestSoon = function (input) {
    var self = this;
    clearTimeout(this.suggestTimer);
    this.suggestTimer = setTimeout(function () { self.suggest(input); }, 300);
  };

  // Suggestions are offered as the name input's datalist: the browser shows them under the
  // input and arrow keys pick one. The element's standard name replaces what was typed.
  Grid.prototype.suggest = function (input) {
    var name = input.value.trim();
    var list = document.getElementById(input.getAttribute('list'));
    if (!list || name.length < 2) { return; }
    var url = this.root.dataset.suggestUrl + '?limit=5&name=' + encodeURIComponent(name);
    var status = this.status;
    var template = this.root.dataset.msgSuggested;
    fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.json(); })
      .then(function (answer) {
        if (!answer.success) { return; }
        list.innerHTML = '';
        var names = [];
        answer.result.forEach(function (s) {
          if (s.name === name) { return; }
          var option = document.createElement('option');
          option.value = s.name;
          option.label = s.identifier ? s.name + '（' + s.identifier + '）' : s.name;
          list.appendChild(option);
          names.push(s.name);
        });
        if (names.length) { status.textContent = format(template, { names: names.join('、') }); }
      }).catch(function () { /* suggestions are a help; typing goes on without them */ });
  };

  document.querySelectorAll('[data-grid-field]').forEach(function (root) { new Grid(root); });
}());
