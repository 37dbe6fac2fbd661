// The ticket's create form: choosing the owner fills the unit (when the owner has one unit
// the user may see), the contact's name and phone (when the role sees the phone in full).
// A value the user typed is kept; one this script filled follows the next owner chosen.
(function () {
  var script = document.getElementById("form-script");
  var owner = window.jQuery && window.jQuery("#owner");
  if (!script || !owner || !owner.length) { return; }
  var filled = {};

  function put(id, value) {
    var input = document.getElementById(id);
    if (!input || !value) { return; }
    if (input.value === "" || input.value === filled[id]) {
      input.value = value;
      filled[id] = value;
    }
  }

  function putUnit(units) {
    var unit = window.jQuery("#unit");
    if (!unit.length || units.length !== 1) { return; }
    var current = unit.val();
    if (current === "" || current === filled.unit) {
      unit.select2("data", {id: String(units[0][0]), text: units[0][1]});
      filled.unit = String(units[0][0]);
    }
  }

  owner.on("change", function () {
    var id = owner.val();
    if (!id) { return; }
    fetch(script.dataset.url + "?owner=" + encodeURIComponent(id),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (found) {
        if (!found) { return; }
        putUnit(found.units || []);
        put("contact_name", found.name);
        put("contact_phone", found.phone);
      })
      .catch(function () { /* the fields stay as they are: the user fills them */ });
  });
})();
