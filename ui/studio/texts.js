// The studio page's own texts: English keys, Vietnamese shown unless the page is in English.
const VI = {
  'The diagram had no layout; one was generated.': 'Sơ đồ chưa có bố cục; đã tự dàn trang.',
  'The diagram cannot be read': 'Không đọc được sơ đồ',
  'The diagram cannot be opened': 'Không mở được sơ đồ',
  Import: 'Nhập sơ đồ',
  'Opening the diagram': 'Mở sơ đồ',
  'Name of the new form (letters, digits, _)': 'Tên biểu mẫu mới (chữ thường, số, _)',
  'A form name is lowercase letters, digits and _, starting with a letter.':
    'Tên biểu mẫu gồm chữ thường, số và _, bắt đầu bằng chữ.',
  'This form exists already': 'Biểu mẫu này đã có',
  'Checking on the server…': 'Đang kiểm tra trên máy chủ…',
  'The server refused the check': 'Máy chủ từ chối kiểm tra',
  'Problems stop publication': 'Số lỗi chặn công bố',
  'No problem stops publication': 'Không có lỗi nào chặn công bố',
  Saved: 'Đã lưu',
  'Someone saved this draft after you opened it.': 'Có người đã lưu bản nháp này sau khi bạn mở nó.',
  'Change note for this version': 'Ghi chú thay đổi của phiên bản này',
  'Published as version': 'Đã công bố phiên bản',
  'Show on the diagram': 'Xem trên sơ đồ',
  error: 'lỗi',
  warning: 'cảnh báo',
  note: 'ghi chú',
  'Nothing to report': 'Không có gì cần báo',
  'Live checks': 'Kiểm tra trực tiếp',
  'Server check': 'Kiểm tra trên máy chủ',
  'Not understood, left out': 'Không hiểu, đã bỏ qua',
  'Refers to something missing': 'Tham chiếu tới phần tử không có',
  'The studio could not start': 'Không khởi động được trình thiết kế',
  Form: 'Biểu mẫu',
  'Decision table': 'Bảng quyết định',
  'This file cannot be opened': 'Không mở được tệp này',
  Preview: 'Xem trước',
  'Token simulation': 'Chạy thử luồng'
};

export function t(lang, text) {
  return lang === 'en' ? text : VI[text] || text;
}
