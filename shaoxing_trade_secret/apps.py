"""django-axes in Chinese: the package ships no zh-hans translation, so its models would show in
English in the admin (“Access attempts”). This configuration names them and their fields."""

from axes.apps import AppConfig as AxesAppConfig

MODEL_NAMES = {
    "accessattempt": ("登录失败记录（锁定计数）", "登录失败记录（锁定计数）"),
    "accessfailurelog": ("登录失败日志", "登录失败日志"),
    "accesslog": ("登录日志", "登录日志"),
    "accessattemptexpiration": ("锁定到期时间", "锁定到期时间"),
}
FIELD_NAMES = {
    "user_agent": "浏览器标识",
    "ip_address": "IP 地址",
    "username": "用户名",
    "http_accept": "HTTP Accept",
    "path_info": "访问路径",
    "attempt_time": "时间",
    "get_data": "GET 参数",
    "post_data": "POST 参数",
    "failures_since_start": "失败次数",
    "locked_out": "已锁定",
    "logout_time": "退出时间",
    "session_hash": "会话标识（SHA-256）",
    "access_attempt": "登录失败记录",
    "expires_at": "到期时间",
}


class AxesConfig(AxesAppConfig):
    verbose_name = "登录安全"

    def ready(self):
        super().ready()
        for model in self.get_models():
            model._meta.verbose_name, model._meta.verbose_name_plural = MODEL_NAMES[model._meta.model_name]
            for field in model._meta.fields:
                if field.name in FIELD_NAMES:
                    field.verbose_name = FIELD_NAMES[field.name]
