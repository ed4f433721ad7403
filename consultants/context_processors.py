from consultants.roles import Role, roles_of


def role(request):
    """Roles of the signed-in user for the navigation: {{ roles.agency }} and so on."""
    user_roles = roles_of(request.user)
    return {"roles": {r.value: r in user_roles for r in Role}}
