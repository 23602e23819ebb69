from qingzhuang.core.nav import NavItem

NAV = [NavItem(label="操作记录", url_name="audit:entries", capability="audit.view", order=950)]
