// Each cell of a list table carries its column's name (data-label), so that on a phone,
// where static/phone.css stacks a table's rows as cards, every value is shown beside what
// it is. A header cell spanning columns names each of them.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('table.model-list, table.phone-cards').forEach(function (table) {
    var labels = [];
    var header = table.querySelector('thead tr:last-child');
    if (!header) { return; }
    Array.prototype.forEach.call(header.children, function (cell) {
      for (var i = 0; i < (cell.colSpan || 1); i++) { labels.push(cell.innerText.trim()); }
    });
    table.querySelectorAll('tbody tr, tfoot tr').forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var label = labels[column];
        if (label && !cell.hasAttribute('data-label') && (cell.colSpan || 1) < labels.length) {
          cell.setAttribute('data-label', label);
        }
        // a cell with nothing to show (blanks only) is no line of its card
        if (!cell.textContent.trim() && !cell.querySelector('a, button, input, select, img, .fa')) {
          cell.classList.add('phone-blank');
        }
        column += cell.colSpan || 1;
      });
    });
  });
});
