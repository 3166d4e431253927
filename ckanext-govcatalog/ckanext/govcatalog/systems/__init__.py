"""Information systems (政务信息系统): their list page's facets; the page of a system (its card,
the entries it produces, the organizations that use it) is templates/scheming/package/snippets/
info_system_card.html."""
