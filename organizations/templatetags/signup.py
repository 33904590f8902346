from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_open(context) -> bool:
    """``{% signup_open as open %}``: whether this visitor may create an account now (organizations.accounts)."""
    from organizations.accounts import signup_is_open

    request = context.get("request")
    return bool(request is not None and signup_is_open(request))
