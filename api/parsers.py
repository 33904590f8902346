"""The API's JSON bodies under the importers' limits (``core/textrules.py``): numbers bounded before conversion,
nesting bounded, and no NUL, control characters (other than tab and line breaks) or unpaired surrogates in any
string or key. A refusal is a 400 naming the place (line and column, or the path in the body)."""

import codecs

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.textrules import LimitError, json_loads_bounded, strings_problem


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json_loads_bounded(text)
        except LimitError as error:
            raise ParseError(f"The request body was refused: {error}.") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if problem := strings_problem(data):
            raise ParseError(f"The request body was refused: {problem}.")
        return data
