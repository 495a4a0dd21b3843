"""Open data: `GET /api/v1/bases/`, the recognised bases (revoked ones included) as JSON
`{count, next, previous, results}`, filterable by every public field, paginated and kept in the cache
until a base is recognised or revoked; its OpenAPI schema at `/api/v1/schema/` and the documentation
page at `/api/v1/docs/`.

Django REST framework with drf-spectacular: the filters are the django-filter FilterSet the public
pages use, so the schema documents exactly the parameters the pages take, and the envelope is DRF's
page-number pagination. The documentation page is Swagger UI from drf-spectacular-sidecar's files,
served from this site, its start-up script fetched as a file of its own (the "split" view) and its
page without inline style, so it keeps within the Content-Security-Policy."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination

from bases import cached, selectors

from .filters import PublicBaseFilter
from .serializers import PublicBaseSerializer


class BasePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "页码无效。"


@extend_schema(
    responses={
        200: PublicBaseSerializer(many=True),
        400: OpenApiResponse(description="筛选参数有误：按参数名给出原因。"),
        404: OpenApiResponse(description="页码超出范围或无效。"),
    },
    tags=["基地名录"],
    summary="已认定的商业秘密保护基地",
    description="按认定日期由近及远排列；包括已撤销的基地（status 为 revoked，revoked_on 为撤销日期）。"
    "各筛选参数可组合使用；county 和 industry 按名称筛选，与结果中的写法相同。",
    examples=[
        OpenApiExample(
            "一个基地",
            value={
                "name": "浙江古越龙山绍兴酒股份有限公司",
                "base_type": "point",
                "level": "city",
                "county": "越城区",
                "industry": "黄酒",
                "recognised_on": "2026-05-08",
                "document_number": "绍市监管〔2026〕8号",
                "status": "valid",
                "revoked_on": None,
            },
            response_only=True,
        )
    ],
)
class PublicBaseList(generics.ListAPIView):
    serializer_class = PublicBaseSerializer
    pagination_class = BasePagination
    filterset_class = PublicBaseFilter

    def get_queryset(self):
        return selectors.public_bases()

    def dispatch(self, request, *args, **kwargs):
        # The answer's bytes are kept per query (and host, which the next/previous links name) until
        # a base changes: a kept answer is sent without the framework's own work. Only a 200 is kept.
        parts = (request.scheme, request.get_host(), sorted(request.GET.lists()))
        found = {}

        def rendered():
            response = super(PublicBaseList, self).dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            found["response"] = response
            return bytes(response.content) if response.status_code == 200 else None

        content = cached.kept("api-bases", parts, rendered)
        if "response" in found:
            return found["response"]
        return HttpResponse(content, content_type="application/json")


schema = SpectacularAPIView.as_view()
docs = SpectacularSwaggerSplitView.as_view(url_name="portal:api-schema", template_name="portal/api_docs.html")
base_list = PublicBaseList.as_view()
