"""Requests refused before any view reads them."""

from django.shortcuts import render

from bases.validators import text_problem


class RefuseControlCharactersInQueries:
    """A query string holding a control character (NUL, a line break …) is no search anyone typed:
    answered 400 at once, before a filter sends it to the database (PostgreSQL refuses NUL in a
    string literal with an error, which would otherwise be a 500). Form fields are checked by the
    forms themselves, where the message can stand at the field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if any(text_problem(text, multiline=False) for text in (key, *values)):
                return render(
                    request,
                    "400.html",
                    {"message": "查询条件含有无效的控制字符，请检查后重新查询。"},
                    status=400,
                )
        return self.get_response(request)
