// A form is sent once. A second click or tap on its button while the first submission is
// on its way (a double click, an impatient tap on a phone) is ignored, so a save, a ticket
// step or a progress note is not recorded twice. Searches and filters (GET) may be sent
// again at once; a form whose submission another script stopped (a confirmation declined)
// stays sendable; and coming back to the page (the browser's back button) or waiting a few
// seconds makes it sendable again.
(function () {
  var RESEND_AFTER_MS = 8000;
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || '').toLowerCase() !== 'post') { return; }
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = '1';
    setTimeout(function () { delete form.dataset.sending; }, RESEND_AFTER_MS);
  });
  window.addEventListener('pageshow', function () {
    document.querySelectorAll('form[data-sending]').forEach(function (form) {
      delete form.dataset.sending;
    });
  });
})();
