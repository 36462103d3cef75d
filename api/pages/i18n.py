"""Page texts: written in Vietnamese in the templates, looked up here for the English switch.

One dictionary keeps it simple: a text missing here shows in Vietnamese, never as a key.
"""

from __future__ import annotations

from flask import request
from flask import session

from api.auth import LANGUAGE_KEY

LANGUAGES = ("vi", "en")

ENGLISH: dict[str, str] = {
    # layout
    "Một Cửa": "One-Stop",
    "Trung tâm Phục vụ hành chính công": "Public Administration Service Center",
    "Hộp việc": "Inbox",
    "Sự cố quy trình": "Workflow incidents",
    "Sự cố": "Incidents",
    (
        "Bước bị lỗi do kịch bản hoặc điều kiện trong sơ đồ; "
        "sửa sơ đồ, công bố phiên bản mới, rồi chạy lại."
    ): (
        "Steps that failed on a script or condition of the diagram; fix the diagram, publish a new "
        "version, then run them again."
    ),
    "Đang mở": "Open",
    "Đã xử lý": "Resolved",
    "Tất cả": "All",
    "Quy trình": "Procedure",
    "Bước": "Step",
    "Lỗi": "Error",
    "Số lần": "Attempts",
    "Lần lỗi gần nhất": "Last failure",
    "(chưa tạo hồ sơ)": "(no dossier yet)",
    "Chạy lại": "Run again",
    "Vai trò của bạn không được mở trang này hoặc làm việc này.": (
        "Your role may not open this page or do this."
    ),
    "Trang này không nhận thao tác đó.": "This page does not take that action.",
    "Tệp quá lớn": "Files too large",
    "Các tệp gửi lên vượt quá dung lượng cho phép.": "The files sent are larger than allowed.",
    "Thử lại sau": "Try again later",
    "Bạn đã thử quá nhiều lần; vui lòng đợi rồi thử lại.": (
        "Too many attempts; please wait and try again."
    ),
    "Máy chủ không thực hiện được yêu cầu này.": "The server could not do this.",
    "Đã chạy lại": "Run again",
    "Không còn cần chạy lại": "No longer needed",
    "Đã hẹn giờ lại": "Timer set again",
    "Hồ sơ đã chạy tiếp": "The dossier moved on",
    "Bên gửi đã gửi lại thông điệp": "The sender sent the message again",
    "Chạy lại vẫn lỗi": "The run failed again",
    "Đã chạy lại thành công; sự cố đã đóng.": "The step ran; the incident is closed.",
    "Không có sự cố nào.": "No incidents.",
    "Quy trình gặp sự cố, đã báo quản trị viên; bước chưa được hoàn thành.": (
        "The procedure failed; the administrators are told and the step is not done yet."
    ),
    "Tiếp nhận hồ sơ": "Receive a dossier",
    "Tài liệu API": "API docs",
    "Đăng xuất": "Log out",
    "Vai trò": "Roles",
    "Đơn vị": "Unit",
    "Tất cả đơn vị": "All units",
    "Chuyển ngôn ngữ": "Language",
    "Bỏ qua, đến nội dung chính": "Skip to main content",
    # login
    "Đăng nhập": "Log in",
    "Tên đăng nhập": "Username",
    "Mật khẩu": "Password",
    "Sai tên đăng nhập hoặc mật khẩu.": "Wrong username or password.",
    "Hệ thống một cửa điện tử cấp xã": "Commune one-stop electronic system",
    "Vui lòng đăng nhập để tiếp tục.": "Please log in to continue.",
    "Đã đăng xuất.": "You are logged out.",
    "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.": (
        "Your session has expired. Please log in again."
    ),
    "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.": (
        "Too many failed logins. Please try again in {minutes} minutes."
    ),
    # inbox
    "Việc của tôi": "My tasks",
    "Hàng đợi của vai trò trong đơn vị": "My role's queue in my unit",
    "Sắp đến hạn": "Due soon",
    "Quá hạn": "Overdue",
    "Việc của đơn vị": "Unit's tasks",
    "Quá hạn, báo lãnh đạo": "Escalated",
    "Tìm theo mã hồ sơ hoặc tên người nộp": "Search by dossier code or applicant name",
    "Tìm": "Search",
    "Xóa tìm kiếm": "Clear search",
    "Sắp xếp": "Sort",
    "Hạn xử lý sớm nhất": "Earliest due first",
    "Hạn xử lý muộn nhất": "Latest due first",
    "Mới nhận trước": "Newest first",
    "Nhận sớm nhất trước": "Oldest first",
    "Mã hồ sơ": "Dossier code",
    "Người nộp": "Applicant",
    "Bước xử lý": "Step",
    "Hạn xử lý": "Due",
    "Người xử lý": "Assignee",
    "Chưa có người nhận": "Unassigned",
    "Mục của bước này": "This step's item",
    "Không có việc nào.": "No tasks.",
    "Nhận việc": "Claim",
    "Mở": "Open",
    "Trang trước": "Previous page",
    "Trang sau": "Next page",
    "Trang": "Page",
    "việc": "tasks",
    "Không có hạn": "No due time",
    "quá hạn": "overdue",
    "còn": "left",
    # task page
    "Hồ sơ": "Dossier",
    "Thông tin hồ sơ": "Dossier summary",
    "Thủ tục": "Procedure",
    "Kênh tiếp nhận": "Channel",
    "Ngày tiếp nhận": "Received",
    "Hẹn trả kết quả": "Due",
    "Trạng thái": "Status",
    "Đơn vị tiếp nhận": "Receiving unit",
    "Đơn vị giải quyết": "Competent unit",
    "Số CCCD": "ID number",
    "Điện thoại": "Phone",
    "Địa chỉ": "Address",
    "Biểu mẫu xử lý": "Step form",
    "Hoàn thành bước": "Complete the step",
    "Nhận xử lý": "Claim this task",
    "Trả lại hàng đợi": "Release to the queue",
    "Chuyển cho đồng nghiệp": "Hand to a colleague",
    "Phân công lại": "Reassign",
    "Người nhận việc": "Colleague",
    "Ghi chú": "Note",
    "Sơ đồ quy trình": "Process diagram",
    "Bước hiện tại": "Current step",
    "Bước đã xong": "Done",
    "Giấy tờ trong hồ sơ": "Documents",
    "Chưa có giấy tờ đính kèm.": "No documents attached.",
    "Xem": "View",
    "Tải về": "Download",
    "Thêm giấy tờ": "Add documents",
    "Tên giấy tờ": "Document name",
    "Tệp (PDF, JPEG, PNG, tối đa 10 MB)": "File (PDF, JPEG, PNG, up to 10 MB)",
    "Tải lên": "Upload",
    "Lịch sử xử lý": "History",
    "Thời gian": "Time",
    "Sự kiện": "Event",
    "Người thực hiện": "By",
    "Chi tiết": "Details",
    "Phiếu kiểm soát quá trình giải quyết hồ sơ": "Dossier control slip",
    "Phiếu hẹn trả kết quả": "Appointment slip",
    "In phiếu hẹn trả kết quả": "Print the appointment slip",
    "Việc này đang do người khác xử lý": "Another colleague holds this task",
    "Việc này đã kết thúc.": "This task is finished.",
    "Việc này đã hoàn thành; biểu mẫu dưới đây là dữ liệu đã nộp (chỉ xem).": (
        "This step is done; the form below shows the data submitted (read only)."
    ),
    "Bạn không có vai trò xử lý bước này.": "You do not hold the role of this step.",
    "Biểu mẫu có lỗi, vui lòng kiểm tra các trường được đánh dấu.": (
        "The form has errors; check the marked fields."
    ),
    "Bước này không có biểu mẫu.": "This step has no form.",
    "Cần bật JavaScript để điền biểu mẫu.": "JavaScript is needed to fill in the form.",
    "Đã hoàn thành bước xử lý.": "The step is completed.",
    "Đã nhận việc.": "Task claimed.",
    "Đã trả việc về hàng đợi.": "Task released to the queue.",
    "Đã chuyển việc.": "Task handed over.",
    "Đã tải lên giấy tờ.": "Documents uploaded.",
    "Các bước tiếp theo": "Next steps",
    "Thao tác khác trên hồ sơ": "Other dossier actions",
    "Yêu cầu bổ sung hồ sơ": "Request a supplement",
    "Lý do": "Reason",
    "Giấy tờ cần bổ sung (mỗi dòng một loại)": "Missing documents (one per line)",
    "Từ chối giải quyết": "Refuse",
    "Lý do từ chối": "Reasons for refusal",
    "Xin lỗi, hẹn lại ngày trả kết quả": "Apologise and set a new date",
    "Ngày hẹn mới": "New date",
    "Trả kết quả": "Return the result",
    "Hình thức trả": "Delivery method",
    "Mã vận đơn": "Tracking number",
    "Ghi nhận tiếp nhận bổ sung": "Record the supplement",
    "Gửi": "Send",
    "Đã gửi yêu cầu bổ sung (mẫu 02).": "Supplement requested (form 02).",
    "Đã từ chối hồ sơ (mẫu 03).": "Dossier refused (form 03).",
    "Đã gửi phiếu xin lỗi và hẹn lại (mẫu 04).": "Apology issued with a new date (form 04).",
    "Đã ghi nhận trả kết quả.": "Result delivery recorded.",
    "Đã ghi nhận hồ sơ bổ sung.": "Supplement recorded.",
    "Mở hồ sơ": "Open the dossier",
    "Việc đang mở của hồ sơ": "Open tasks of the dossier",
    "Không còn việc đang mở.": "No open tasks.",
    "Quy trình đang chờ": "The workflow waits for",
    "Thông điệp": "Message",
    "Tín hiệu": "Signal",
    "Điều kiện": "Condition",
    "Hẹn giờ": "Timer",
    # reception
    "Tiếp nhận hồ sơ trực tiếp": "Receive a walk-in dossier",
    "Thông tin người nộp": "Applicant",
    "Họ và tên": "Full name",
    "Số CCCD/CMND": "ID number",
    "Thư điện tử": "Email",
    "Đơn vị có thẩm quyền giải quyết": "Competent unit",
    "Hình thức nhận kết quả": "How the result is delivered",
    "Nhận trực tiếp tại Trung tâm": "In person at the center",
    "Qua dịch vụ bưu chính công ích": "By post",
    "Trực tuyến": "Online",
    "Trực tiếp": "In person",
    "Bưu chính": "Postal",
    "Giấy tờ kèm theo (tải lên hoặc bản quét)": "Documents (uploaded or scanned)",
    "Thêm dòng": "Add a row",
    "Tiếp nhận": "Receive",
    "Chọn thủ tục": "Choose a procedure",
    "Đã tiếp nhận hồ sơ": "Dossier received",
    "Hồ sơ có lỗi, vui lòng kiểm tra các trường được đánh dấu.": (
        "The dossier has errors; check the marked fields."
    ),
    "Địa chỉ nhận kết quả (khi gửi bưu chính)": "Delivery address (postal)",
    # accounts
    "Đổi mật khẩu": "Change password",
    "Người dùng": "Users",
    "Mật khẩu hiện tại": "Current password",
    "Mật khẩu mới": "New password",
    "Nhập lại mật khẩu mới": "Repeat the new password",
    "8–200 ký tự": "8 to 200 characters",
    "Hủy": "Cancel",
    (
        "Sau khi đổi, các phiên đăng nhập khác của bạn "
        "(máy khác, ứng dụng dùng mã truy cập) sẽ kết thúc."
    ): "Once changed, your other sessions (other computers, apps using a token) end.",
    "Hai lần nhập mật khẩu mới không khớp.": "The two new passwords do not match.",
    "Nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau {minutes} phút.": (
        "Too many wrong passwords. Please try again in {minutes} minutes."
    ),
    "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.": (
        "Your password is changed. Your other sessions have ended."
    ),
    (
        "Tài khoản của cán bộ; tài khoản bị khoá không đăng nhập được, "
        "việc họ đang giữ trả về hàng đợi."
    ): (
        "The staff's accounts; a disabled account cannot log in and the tasks it held go back "
        "to the queue."
    ),
    "Tìm theo tên đăng nhập hoặc họ tên": "Search by username or full name",
    "tài khoản": "accounts",
    "Đang hoạt động": "Active",
    "Đã khoá": "Disabled",
    "Tài khoản của bạn": "Your account",
    "Khoá": "Disable",
    "Mở khoá": "Enable",
    "Không tìm thấy tài khoản nào.": "No account found.",
    "Khoá tài khoản": "Disable the account",
    "Khoá tài khoản {name}?": "Disable the account of {name}?",
    "Các việc người này đang giữ sẽ trả về hàng đợi.": (
        "The tasks this person holds go back to the queue."
    ),
    "Người này không đăng nhập được nữa cho đến khi tài khoản được mở khoá.": (
        "They can no longer log in until the account is enabled again."
    ),
    "Đã khoá tài khoản {username}.": "The account {username} is disabled.",
    "Đã mở khoá tài khoản {username}.": "The account {username} is enabled again.",
    "Đặt mật khẩu mới": "Set a new password",
    "Đặt mật khẩu mới cho {name}": "Set a new password for {name}",
    "Đặt mật khẩu": "Set password",
    (
        "Các phiên đăng nhập và mã truy cập hiện có của người này sẽ kết thúc; "
        "hãy trao mật khẩu mới cho họ trực tiếp."
    ): "This person's sessions and tokens end; hand them the new password in person.",
    "Đã đặt mật khẩu mới cho {username}.": "A new password is set for {username}.",
    # citizens' tracking page
    "Công dân tra cứu hồ sơ": "Citizens: track a dossier",
    "Tra cứu hồ sơ": "Track a dossier",
    "Mã hồ sơ và mã tra cứu được in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.": (
        "The dossier code and the lookup key are printed on your receipt "
        "(Giấy tiếp nhận hồ sơ và hẹn trả kết quả)."
    ),
    "Mã tra cứu": "Lookup key",
    "Tra cứu": "Look up",
    "Tình trạng hồ sơ": "Dossier status",
    "Thời gian tiếp nhận": "Received on",
    "Thời gian hẹn trả kết quả": "Result appointment",
    "Tiến độ giải quyết": "Timeliness",
    "Ngày trả kết quả": "Result returned on",
    "Ngày kết thúc": "Finished on",
    "Xong lúc": "Done at",
    "Giấy tờ đã chọn ở lần gửi trước (được giữ lại):": "Documents chosen on the last try (kept):",
    "Tiếp nhận không kèm giấy tờ": "Receive without documents",
    "Vẫn tiếp nhận": "Receive anyway",
    "Tạo tài khoản": "New account",
    "Thông tin khai khi tiếp nhận": "Details recorded at reception",
    "Mẫu in khác": "Other forms",
    "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)": "Supplement request (form 02)",
    "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (mẫu 03)": "Refusal (form 03)",
    "Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)": "Apology with a new date (form 04)",
    "Dòng của hồ sơ trong sổ theo dõi (mẫu 06)": "The dossier's line in the register (form 06)",
    "Thư chúc mừng gia đình có trẻ mới sinh": "Congratulatory letter to the newborn's family",
    "Mật khẩu ban đầu": "First password",
    "chữ thường, số, dấu chấm": "lower case, digits, dots",
    "Vai trò trong đơn vị": "Roles in units",
    (
        "Để trống một dòng để bỏ vai trò đó. "
        "Việc người này đang giữ ở vai trò bị bỏ sẽ trả về hàng đợi."
    ): (
        "Leave a row empty to take that role away. Tasks held under a role taken away go back "
        "to the queue."
    ),
    "Vai trò của {name}": "Roles of {name}",
    "Lưu vai trò": "Save the roles",
    "Mở khoá đăng nhập": "Unlock login",
    "Xoá các lần nhập sai mật khẩu gần đây": "Forget the recent wrong passwords",
    "Tên đăng nhập đã có người dùng.": "This username is taken.",
    "Đã tạo tài khoản": "Account created:",
    "Đã cập nhật vai trò của": "Roles updated for",
    "Đã mở khoá đăng nhập cho": "Login unlocked for",
    "các lần nhập sai mật khẩu gần đây được xoá.": "the recent wrong passwords are forgotten.",
    "Sự cố số": "Incident no.",
    "Dữ liệu bạn nhập vẫn được giữ; có thể hoàn thành lại sau.": (
        "What you entered is kept; you can complete the step again later."
    ),
    "Tra cứu hồ sơ của đơn vị": "The unit's dossiers",
    "Mã hồ sơ, tên, số CCCD hoặc điện thoại người nộp": (
        "Code, or the applicant's name, ID or phone"
    ),
    "hồ sơ": "dossiers",
    "Không có hồ sơ nào khớp với tìm kiếm.": "No dossier matches the search.",
    "Đơn vị chưa có hồ sơ nào.": "The unit has no dossier yet.",
    "Thành phần hồ sơ đã nhận": "Papers received",
    "Thủ tục này chưa khai báo thành phần hồ sơ.": "This procedure lists no papers yet.",
    "Chọn thủ tục để xem các giấy tờ cần nộp.": "Choose the procedure to see the papers it needs.",
    "Bản chính": "Original",
    "Bản sao": "Copy",
    "Bản chính hoặc bản sao": "Original or copy",
    "Hồ sơ cần bổ sung": "Your dossier needs more papers",
    "Vui lòng nộp bổ sung trước": "Please bring them before",
    "Trước hạn": "Ahead of time",
    "Đúng hạn": "On time",
    "Trong hạn": "Within the time limit",
    (
        "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. "
        "Vui lòng kiểm tra lại hai mã in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."
    ): (
        "No dossier matches this dossier code and lookup key. "
        "Please check both codes printed on your receipt."
    ),
    # errors
    "Không có quyền truy cập": "Access denied",
    "Hồ sơ hoặc công việc này thuộc đơn vị khác. Bạn không được xem.": (
        "This dossier or task belongs to another unit. You may not open it."
    ),
    "Không tìm thấy": "Not found",
    "Trang hoặc hồ sơ bạn tìm không tồn tại.": "The page or dossier does not exist.",
    "Về hộp việc": "Back to the inbox",
    "Không thực hiện được": "Could not be done",
    "Phiên làm việc đã hết hạn": "The session has expired",
    "Vui lòng tải lại trang và thử lại.": "Reload the page and try again.",
    "Đã nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.": (
        "Too many wrong codes. Please try again in {minutes} minutes."
    ),
    # fees
    "Đề nghị nộp phí, lệ phí": "Ask for the fee",
    "Hồ sơ tạm dừng, không tính thời hạn, cho đến khi ghi nhận đã nộp.": (
        "The dossier waits, its deadline paused, until the payment is recorded."
    ),
    "Ghi chú cho người nộp (không bắt buộc)": "Note for the applicant (optional)",
    "Ghi nhận đã nộp phí, lệ phí": "Record the fee as paid",
    "Số biên lai": "Receipt number",
    "Ghi nhận": "Record",
    "Phí, lệ phí": "Fee",
    "Đã nộp": "Paid",
    "Chưa nộp": "Not paid",
    "biên lai": "receipt",
    "Đã đề nghị nộp phí, lệ phí; thời hạn tạm dừng đến khi nộp.": (
        "The fee was asked for; the deadline is paused until it is paid."
    ),
    "Đã ghi nhận nộp phí, lệ phí.": "The fee is recorded as paid.",
    # the studio's procedures page
    "Thiết kế thủ tục": "Procedure studio",
    "Thủ tục và phiên bản": "Procedures and versions",
    (
        "Mỗi thủ tục với bản nháp và các phiên bản đã công bố; "
        "hồ sơ đang chạy giữ phiên bản của mình."
    ): (
        "Each procedure with its draft and published versions; running dossiers stay on "
        "their version."
    ),
    "Tìm theo mã hoặc tên thủ tục": "Search by procedure code or name",
    "thủ tục": "procedures",
    "Thủ tục mới": "New procedure",
    "Mã thủ tục": "Procedure code",
    "chữ thường, số, gạch dưới; ví dụ cap_ban_sao": (
        "lower case, digits, underscores; e.g. cap_ban_sao"
    ),
    "Lĩnh vực": "Field",
    "Tên tiếng Việt": "Name in Vietnamese",
    "Tên tiếng Anh": "Name in English",
    "Thời hạn giải quyết": "Statutory time limit",
    "Đơn vị thời hạn": "Time limit unit",
    "ngày làm việc": "working days",
    "giờ làm việc": "working hours",
    "Bắt đầu từ": "Start from",
    "Mẫu: tiếp nhận → thẩm định → lãnh đạo phê duyệt → trả kết quả (có nhánh bổ sung và từ chối)": (
        "Template: reception → appraisal → leader approval → return (with the supplement "
        "and refusal paths)"
    ),
    "Sơ đồ trống": "A blank diagram",
    "Tạo bản nháp và mở trình thiết kế": "Create the draft and open the modeler",
    "Mở trình thiết kế": "Open the modeler",
    "Xem sơ đồ": "View the diagram",
    "Phiên bản": "Version",
    "Người công bố (bản nháp: người lưu)": "Published by (draft: saved by)",
    "Thời điểm": "When",
    "Ghi chú thay đổi": "Change note",
    "Nguồn": "Source",
    "Hồ sơ đang mở": "Open dossiers",
    "Bản nháp": "Draft",
    "Mở bản nháp": "Open the draft",
    "Hủy bản nháp": "Discard the draft",
    "Hủy bản nháp của thủ tục này? Thay đổi chưa công bố sẽ mất.": (
        "Discard this procedure's draft? Unpublished changes will be lost."
    ),
    "Không có thủ tục nào khớp với tìm kiếm.": "No procedure matches the search.",
    "Chưa có thủ tục nào. Tạo thủ tục mới để bắt đầu.": (
        "No procedures yet. Create a new procedure to begin."
    ),
    # studio modeler
    "Thiết kế quy trình": "Process design",
    "phiên bản": "version",
    "Chỉnh sửa": "Editing",
    "Chỉ xem": "Read only",
    "phiên bản cũ": "an older version",
    "Công cụ": "Tools",
    "Hoàn tác": "Undo",
    "Làm lại": "Redo",
    "Chạy thử": "Simulate",
    "Nhập .bpmn": "Import .bpmn",
    "Tải .bpmn": "Download .bpmn",
    "Kiểm tra": "Validate",
    "Lưu nháp": "Save draft",
    "Công bố": "Publish",
    "Sơ đồ": "Diagram",
    "Biểu mẫu mới": "New form",
    "Vấn đề": "Problems",
    "Thông tin thủ tục": "Procedure details",
    "Tải thư mục (.zip)": "Download folder (.zip)",
}


def current_language() -> str:
    """`?lang=en` switches and is remembered in the session; Vietnamese otherwise."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session[LANGUAGE_KEY] = asked
        return asked
    kept = session.get(LANGUAGE_KEY)
    return kept if kept in LANGUAGES else "vi"


def translate(text: str) -> str:
    if current_language() == "en":
        return ENGLISH.get(text, text)
    return text
