"""Plain words for the codes the audit log stores.

The log keeps stable codes ("org.user.create"): they are hashed into the chain and filtered
on, so they never change with the language. People read these labels instead. A code missing
here is shown as itself; tests/test_labels.py fails when a code used in the sources has no label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

ACTION_LABELS: dict[str, StrPromise] = {
    # org
    "org.unit.create": _("新建单位"),
    "org.unit.update": _("修改单位"),
    "org.department.create": _("新建部门"),
    "org.user.create": _("新建账号"),
    "org.user.update": _("修改账号"),
    "org.user.activate": _("启用账号"),
    "org.user.deactivate": _("停用账号"),
    "org.user.password_reset": _("重置账号密码"),
    "org.token.create": _("生成接口令牌"),
    "org.token.revoke": _("撤销接口令牌"),
    # burden
    "burden.demand.create": _("登记负担事项"),
    "burden.demand.revise": _("修改负担事项"),
    "burden.demand.delete": _("删除负担事项"),
    "burden.finding.add": _("记入减负台账"),
    "burden.finding.refresh": _("重新检查负担事项"),
    "burden.rule.update": _("修改减负规则"),
    "burden.document.upload": _("上传文件检查"),
    "burden.admission.submit": _("提交报表准入申请"),
    "burden.admission.decide": _("审查报表准入申请"),
    # datastore
    "datastore.element.create": _("新建数据元"),
    "datastore.element.update": _("修改数据元"),
    "datastore.element.delete": _("删除数据元"),
    "datastore.element.merge": _("合并重复的数据元"),
    "datastore.element.option_attach": _("给数据元添加选项"),
    "datastore.element.option_detach": _("从数据元移除选项"),
    "datastore.option.create": _("新建选项"),
    "datastore.option.update": _("修改选项"),
    "datastore.option.delete": _("删除选项"),
    "datastore.rule.create": _("新建数据校验规则"),
    "datastore.rule.update": _("修改数据校验规则"),
    "datastore.rule.activate": _("启用数据校验规则"),
    "datastore.rule.deactivate": _("停用数据校验规则"),
    "datastore.mapping.set": _("设置报表栏目对应的数据元"),
    "datastore.mapping.automap": _("自动对应报表栏目"),
    "datastore.value.create": _("录入数据"),
    "datastore.value.update": _("修改数据"),
    "datastore.store.import": _("导入数据"),
    "datastore.harvest": _("从报表采集数据"),
    "datastore.template.fill": _("自动填写报表"),
    # reporting
    "reporting.template.import": _("导入报表模板"),
    "reporting.template.update": _("修改报表模板"),
    "reporting.redundancy.analyse": _("分析重复报表"),
    "reporting.match.confirm": _("确认重复栏目"),
    "reporting.match.reject": _("确认栏目不重复"),
    "reporting.concept.accept": _("采纳建议的数据元"),
    # evaluation
    "evaluation.settings.update": _("修改评价设置"),
    "evaluation.indicator.create": _("新建考核指标"),
    "evaluation.indicator.update": _("修改考核指标"),
    "evaluation.scheme.create": _("新建考核方案"),
    "evaluation.scheme.update": _("修改考核方案"),
    "evaluation.scheme_item.set": _("设置考核方案中的指标"),
    "evaluation.goal.create": _("新建考核目标"),
    "evaluation.scores.compute": _("计算考核得分"),
    # service_requests (接诉即办)
    "service_requests.request.submit": _("受理诉求"),
    "service_requests.request.recategorise": _("修改诉求分类"),
    "service_requests.request.bulk_generate": _("批量生成演示诉求"),
    "service_requests.duty_rule.save": _("保存权责清单条目"),
    "service_requests.duty_rule.delete": _("删除权责清单条目"),
    "service_requests.sla_policy.save": _("修改办理时限"),
    "service_requests.callback.answer": _("记录回访结果"),
    "service_requests.attachment.voice_attach": _("附上语音留言"),
    "service_requests.attachment.voice_summary": _("补写语音留言摘要"),
    "service_requests.export.personal_data": _("导出含个人信息的工单"),
    "service_requests.work_order.dispatch": _("工单派单"),
    "service_requests.work_order.accept": _("工单签收"),
    "service_requests.work_order.start": _("工单开始办理"),
    "service_requests.work_order.resolve": _("工单办结"),
    "service_requests.work_order.return": _("工单退单"),
    "service_requests.work_order.escalate": _("工单督办"),
    "service_requests.work_order.reopen": _("工单重办"),
    "service_requests.work_order.refer": _("工单转县级部门"),
    "service_requests.work_order.merge": _("工单合并"),
    "service_requests.work_order.callback": _("工单发起回访"),
    "service_requests.work_order.close": _("工单关闭"),
    "service_requests.work_order.unreasonable_request": _("申请认定不合理诉求"),
    "service_requests.work_order.unreasonable_review": _("审核不合理诉求"),
    "service_requests.work_order.sla_flag": _("标记工单临期或超时"),
    # duties (村级事项准入、减负直通车)
    "duties.work_item.create": _("添加村级清单事项"),
    "duties.work_item.update": _("修改村级清单事项"),
    "duties.certificate.create": _("添加证明事项"),
    "duties.certificate.update": _("修改证明事项"),
    "duties.task.register": _("登记交办村(社区)的事项"),
    "duties.feedback.submit": _("提交减负直通车反映"),
    "duties.feedback.answer": _("答复减负直通车反映"),
    "duties.findings.remove": _("移除练习数据的台账标记"),
    "duties.practice.reset": _("重置练习数据"),
    "duties.walkthrough.seen": _("看完新手引导"),
    "duties.walkthrough.reset": _("重看新手引导"),
}

# Actors that are not a login: the label audit_record stored for them.
ACTOR_LABELS: dict[str, StrPromise] = {
    "anonymous": _("匿名反映人"),
    "system": _("系统"),
    "cli": _("命令行"),
    "demo": _("演示数据"),
    "public": _("群众（未登录）"),
    "open311": _("Open311 接口"),
    "sla-scan": _("时限巡检"),
}


def action_label(code: str) -> str:
    """The words for an action code, in the active language; an unknown code as itself."""
    label = ACTION_LABELS.get(code)
    return code if label is None else str(label)


def actor_label(actor: Any, stored_label: str) -> str:
    """Who did it: the user's display name, else a known non-login actor, else the stored label
    (the username of a since-deleted user, or a script's own name)."""
    if actor is not None:
        return str(actor)
    label = ACTOR_LABELS.get(stored_label)
    return stored_label if label is None else str(label)


def codes_matching(words: str) -> list[str]:
    """The codes whose label (in the active language) contains the words, for the filter box."""
    words = words.strip().casefold()
    if not words:
        return []
    return [code for code, label in ACTION_LABELS.items() if words in str(label).casefold()]
