/* The date pickers and the pickers' prompts in Chinese: loaded (from
 * templates/admin/master.html) only on pages in Chinese, after moment and select2 and before
 * Flask-Admin's form script runs.
 *
 * - moment gets a Chinese locale of its own (Flask-Admin ships moment without locales), so
 *   whatever it words (the daterangepicker's defaults) is Chinese; weeks start on Monday.
 * - every daterangepicker is given Chinese buttons (确定 / 取消), a 清除 button that empties
 *   the field, month names 一月…十二月, weekday heads 一 二 … 日, and a range written
 *   "2026-11-01 至 2026-11-30" (the server reads 至 as well as "to": admin_views/fields.py).
 *
 * - select2 (the pickers) says what it is doing in Chinese: 请再输入 1 个字, 正在查找…,
 *   没有找到; a list filter's "one of" box (Flask-Admin's form script words it "Enter comma
 *   separated values") too.
 *
 * The dates themselves stay YYYY-MM-DD (HH:mm): the forms and filters read that form.
 */
(function () {
  'use strict';

  var MONTHS = '一月_二月_三月_四月_五月_六月_七月_八月_九月_十月_十一月_十二月'.split('_');

  moment.defineLocale('zh-cn', {
    months: MONTHS,
    monthsShort: '1月_2月_3月_4月_5月_6月_7月_8月_9月_10月_11月_12月'.split('_'),
    weekdays: '星期日_星期一_星期二_星期三_星期四_星期五_星期六'.split('_'),
    weekdaysShort: '周日_周一_周二_周三_周四_周五_周六'.split('_'),
    weekdaysMin: '日_一_二_三_四_五_六'.split('_'),
    longDateFormat: {
      LT: 'HH:mm', LTS: 'HH:mm:ss', L: 'YYYY-MM-DD', LL: 'YYYY年M月D日',
      LLL: 'YYYY年M月D日 HH:mm', LLLL: 'YYYY年M月D日dddd HH:mm'
    },
    meridiem: function (hour) { return hour < 12 ? '上午' : '下午'; },
    week: { dow: 1, doy: 4 }
  });
  moment.locale('zh-cn');

  var WORDS = {
    applyLabel: '确定',
    cancelLabel: '取消',
    fromLabel: '从',
    toLabel: '至',
    weekLabel: '周',
    customRangeLabel: '自定义',
    daysOfWeek: moment.weekdaysMin(),
    monthNames: MONTHS,
    firstDay: 1
  };
  var SEPARATOR = ' 至 ';

  function addClearButton($input) {
    var picker = $input.data('daterangepicker');
    if (!picker || picker.container.find('.picker-clear').length) {
      return;
    }
    var $row = $('<div class="picker-clear" style="clear: both; text-align: right; padding: 4px 8px 0">' +
                 '<button type="button" class="btn btn-sm btn-secondary">清除</button></div>');
    $row.find('button').on('click', function () {
      $input.val('').trigger('change');
      picker.hide();
    });
    picker.container.append($row);
  }

  function inChinese() {
    var original = $.fn.daterangepicker;
    if (!original || original.inChinese) {
      return;
    }
    var chinese = function (options, callback) {
      options = $.extend({}, options || {});
      options.locale = $.extend({}, WORDS, options.locale || {});
      if (options.separator === ' to ') {
        options.separator = SEPARATOR;
      }
      var $inputs = this;
      var result = original.call($inputs, options, callback);
      $inputs.each(function () { addClearButton($(this)); });
      return result;
    };
    chinese.inChinese = true;
    $.fn.daterangepicker = chinese;
  }

  var PROMPTS = {
    formatNoMatches: function () { return '没有找到'; },
    formatInputTooShort: function (input, min) { return '请再输入 ' + (min - input.length) + ' 个字'; },
    formatInputTooLong: function (input, max) { return '请删去 ' + (input.length - max) + ' 个字'; },
    formatSelectionTooBig: function (limit) { return '最多只能选 ' + limit + ' 项'; },
    formatLoadMore: function () { return '正在加载更多…'; },
    formatSearching: function () { return '正在查找…'; },
    formatAjaxError: function () { return '查找失败，请稍后再试'; },
    formatMatches: function (matches) { return '找到 ' + matches + ' 项'; }
  };

  function promptsInChinese() {
    var original = $.fn.select2;
    if (!original || original.inChinese) {
      return;
    }
    $.extend(original.defaults, PROMPTS);
    var chinese = function (options) {
      if (options && typeof options === 'object' && options.tags) {
        // a filter's "one of" box
        options = $.extend({}, options, {
          formatNoMatches: function () { return '输入要找的值，多个值用逗号分隔'; }
        });
      }
      return original.apply(this, [options].concat(Array.prototype.slice.call(arguments, 1)));
    };
    $.extend(chinese, original);
    chinese.inChinese = true;
    $.fn.select2 = chinese;
  }

  promptsInChinese();
  // Flask-Admin's form script styles the fields when the page is ready; this runs first
  // (registered earlier), when the picker's own script has loaded.
  $(inChinese);
}());
