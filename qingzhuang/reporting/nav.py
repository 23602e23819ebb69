from qingzhuang.core.nav import NavItem

NAV = [
    NavItem(label="报表模板", url_name="reporting:list", order=200),
    NavItem(label="重复数据项", url_name="reporting:redundancy", order=210),
]
