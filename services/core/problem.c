/* problem.c — problem slugs, titles and validation messages. */
#include "core/problem.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slug {
    const char *slug;
    int status;
    const char *title_en, *title_es;
    const char *detail_en, *detail_es;
};

static const struct slug slugs[] = {
    {"malformed-request", 400, "Malformed request", "Solicitud mal formada",
     "The request's framing is ambiguous: more than one or a non-numeric Content-Length, "
     "Content-Length with Transfer-Encoding, or HTTP/1.1 without exactly one Host.",
     "El encuadre de la solicitud es ambiguo: más de un Content-Length o uno no numérico, "
     "Content-Length con Transfer-Encoding, o HTTP/1.1 sin exactamente un Host."},
    {"uri-too-long", 414, "URI too long", "URI demasiado largo",
     "The request line is longer than this server accepts.",
     "La línea de solicitud es más larga de lo que este servidor acepta."},
    {"headers-too-large", 431, "Request header fields too large",
     "Campos de cabecera demasiado grandes",
     "The request's header block is larger than this server accepts.",
     "El bloque de cabeceras de la solicitud es más grande de lo que este servidor acepta."},
    {"not-implemented", 501, "Not implemented", "No implementado",
     "The only transfer coding accepted is chunked.",
     "La única codificación de transferencia aceptada es chunked."},
    {"malformed-body", 400, "Malformed body", "Cuerpo mal formado",
     "The request body is not valid UTF-8 JSON.",
     "El cuerpo de la solicitud no es JSON UTF-8 válido."},
    {"unauthorized", 401, "Unauthorized", "No autenticado", "A valid bearer token is required.",
     "Se requiere un token de acceso válido."},
    {"invalid-credentials", 401, "Invalid credentials", "Credenciales inválidas",
     "The email or the password is wrong.", "El correo o la contraseña no son correctos."},
    {"forbidden", 403, "Forbidden", "Prohibido", "Your roles do not allow this action.",
     "Sus roles no permiten esta acción."},
    {"not-found", 404, "Not found", "No encontrado", "There is nothing here.", "No hay nada aquí."},
    {"method-not-allowed", 405, "Method not allowed", "Método no permitido",
     "This resource does not support that method.", "Este recurso no admite ese método."},
    {"email-taken", 409, "Email taken", "Correo ya registrado",
     "An account with this email already exists.", "Ya existe una cuenta con este correo."},
    {"last-admin", 409, "Last admin", "Último administrador",
     "This would leave no admin: another account must hold the admin role first.",
     "Esto dejaría el sistema sin administrador: "
     "otra cuenta debe tener antes el rol de administrador."},
    {"slug-taken", 409, "Slug taken", "Identificador en uso",
     "Another edition already uses this slug.", "Otra edición ya usa este identificador."},
    {"category-taken", 409, "Category exists", "La categoría ya existe",
     "This edition already has a category with this code.",
     "Esta edición ya tiene una categoría con este código."},
    {"question-taken", 409, "Question exists", "La pregunta ya existe",
     "This edition already has a question with this code.",
     "Esta edición ya tiene una pregunta con este código."},
    {"registration-closed", 409, "Registration closed", "Inscripción cerrada",
     "Registration for this edition is not open now.",
     "La inscripción para esta edición no está abierta ahora."},
    {"already-registered", 409, "Already registered", "Ya inscrito",
     "You already have a registration for this edition.",
     "Ya tiene una inscripción para esta edición."},
    {"idempotency-in-flight", 409, "Request in progress", "Solicitud en curso",
     "A request with this Idempotency-Key is still being processed; retry shortly.",
     "Una solicitud con esta Idempotency-Key aún se está procesando; reintente en breve."},
    {"invalid-state", 409, "Invalid state", "Estado no válido",
     "The resource is not in a state that allows this.",
     "El recurso no está en un estado que lo permita."},
    /* "Rumbo al GESS" series */
    {"event-full", 409, "Event full", "Evento completo",
     "This event has no places left in that attendance mode.",
     "Este evento no tiene cupos disponibles en esa modalidad."},
    {"event-closed", 409, "Event closed", "Evento cerrado",
     "This event has already started or was cancelled.", "Este evento ya comenzó o fue cancelado."},
    /* programme */
    {"schedule-conflict", 409, "Schedule conflict", "Conflicto de horario",
     "Another session uses the same room or speaker at an overlapping time.",
     "Otra sesión usa la misma sala o ponente en un horario que se superpone."},
    {"session-full", 409, "Session full", "Sesión completa", "This session has no places left.",
     "Esta sesión no tiene cupos disponibles."},
    {"csrf-failed", 403, "CSRF check failed", "Falló la verificación CSRF",
     "A call authenticated by the session cookie must send X-CSRF-Token with the page's "
     "csrf_token.",
     "Una llamada autenticada por la cookie de sesión debe enviar X-CSRF-Token con el "
     "csrf_token de la página."},
    {"email-unverified", 403, "Email not verified", "Correo no verificado",
     "Verify your email address first: follow the link gess mailed you "
     "(POST /v1/email-verifications/resend sends another).",
     "Verifique primero su dirección de correo: siga el enlace que gess le envió "
     "(POST /v1/email-verifications/resend envía otro)."},
    {"registration-required", 403, "Registration required", "Inscripción requerida",
     "Only confirmed registrants of this edition can do this.",
     "Solo las personas con inscripción confirmada en esta edición pueden hacerlo."},
    {"reservation-required", 409, "Reservation required", "Reserva requerida",
     "This session has limited places: reserve one first.",
     "Esta sesión tiene cupos limitados: reserve uno primero."},
    {"nothing-to-release", 409, "Nothing to release", "Nada que publicar",
     "The draft programme has not changed since the last release.",
     "El programa en borrador no ha cambiado desde la última versión publicada."},
    /* pacts follow-up */
    {"organization-taken", 409, "Organization exists", "La organización ya existe",
     "An organization with this name or tax id already exists.",
     "Ya existe una organización con este nombre o RUC."},
    {"party-exists", 409, "Party exists", "La parte ya existe",
     "This organization already has this role in the pact.",
     "Esta organización ya tiene este rol en el pacto."},
    {"already-reviewed", 409, "Already reviewed", "Ya revisada",
     "This measurement has already been verified or rejected.",
     "Esta medición ya fue verificada o rechazada."},
    {"commitment-closed", 409, "Commitment closed", "Compromiso cerrado",
     "This commitment is done or dropped.", "Este compromiso está cumplido o descartado."},
    {"already-carried-over", 409, "Already carried over", "Ya trasladado",
     "This commitment has already been carried over into a pact of that edition.",
     "Este compromiso ya fue trasladado a un pacto de esa edición."},
    /* practices */
    {"already-reported", 409, "Already reported", "Ya reportado",
     "You have already reported this case.", "Usted ya reportó este caso."},
    {"adoption-exists", 409, "Adoption exists", "La adopción ya existe",
     "This organization is already recorded as adopting this case there.",
     "Esta organización ya figura como adoptante de este caso en ese territorio."},
    {"theme-taken", 409, "Theme exists", "El tema ya existe",
     "A theme with this code already exists.", "Ya existe un tema con este código."},
    /* webhooks */
    {"webhook-disabled", 409, "Webhook disabled", "Webhook desactivado",
     "The endpoint is not active: activate it (PATCH active: true) first.",
     "El endpoint no está activo: actívelo primero (PATCH active: true)."},
    {"idempotency-mismatch", 422, "Idempotency-Key reused", "Idempotency-Key reutilizada",
     "This Idempotency-Key was used with a different request.",
     "Esta Idempotency-Key se usó con otra solicitud."},
    {"not-acceptable", 406, "Not acceptable", "No aceptable",
     "This resource is not available in any type the Accept header allows.",
     "Este recurso no está disponible en ningún tipo que permita la cabecera Accept."},
    {"payload-too-large", 413, "Payload too large", "Cuerpo demasiado grande",
     "The request body is larger than allowed.", "El cuerpo de la solicitud es demasiado grande."},
    {"unsupported-media-type", 415, "Unsupported media type", "Tipo de contenido no admitido",
     "Send the body as application/json.", "Envíe el cuerpo como application/json."},
    {"validation-failed", 422, "Validation failed", "Validación fallida",
     "Some fields are invalid.", "Algunos campos no son válidos."},
    {"too-many-requests", 429, "Too many requests", "Demasiadas solicitudes",
     "Too many attempts; try again later.", "Demasiados intentos; vuelva a intentarlo más tarde."},
    {"internal-error", 500, "Internal error", "Error interno", "Something went wrong on our side.",
     "Algo salió mal de nuestro lado."},
    {"service-unavailable", 503, "Service unavailable", "Servicio no disponible",
     "The service is busy or its database is unreachable; retry shortly.",
     "El servicio está ocupado o su base de datos no responde; reintente en breve."},
};

static const struct slug *find_slug(const char *slug)
{
    for (size_t i = 0; i < sizeof slugs / sizeof slugs[0]; i++)
        if (strcmp(slugs[i].slug, slug) == 0)
            return &slugs[i];
    return NULL;
}

bool problem_known(const char *slug)
{
    return find_slug(slug) != NULL;
}

int problem_status(const char *slug)
{
    const struct slug *s = find_slug(slug);
    return s ? s->status : 500;
}

json_t *problem_new(enum lang lang, const char *slug, const char *detail)
{
    const struct slug *s = find_slug(slug);
    if (s == NULL)
        s = find_slug("internal-error");
    char type[128];
    snprintf(type, sizeof type, PROBLEM_TYPE_BASE "%s", s->slug);
    const char *title = lang == LANG_ES ? s->title_es : s->title_en;
    if (detail == NULL)
        detail = lang == LANG_ES ? s->detail_es : s->detail_en;
    return json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", s->status,
                     "detail", detail);
}

/* Accept-Language: pick the highest q among tags whose primary subtag is
 * es or en (RFC 9110 §12.5.4); ties go to the earlier tag. */
enum lang problem_lang(const char *h)
{
    enum lang best = LANG_EN;
    double best_q = -1;
    if (h == NULL)
        return LANG_EN;
    while (*h != '\0') {
        while (*h == ' ' || *h == ',')
            h++;
        const char *tag = h;
        while (*h != '\0' && *h != ',' && *h != ';' && *h != ' ')
            h++;
        size_t taglen = (size_t)(h - tag);
        double q = 1.0;
        while (*h != '\0' && *h != ',') {
            if (*h == ';') {
                h++;
                while (*h == ' ')
                    h++;
                if ((h[0] == 'q' || h[0] == 'Q') && h[1] == '=')
                    q = strtod(h + 2, NULL);
            } else {
                h++;
            }
        }
        bool es = taglen >= 2 && tolower((unsigned char)tag[0]) == 'e' &&
                  tolower((unsigned char)tag[1]) == 's' && (taglen == 2 || tag[2] == '-');
        bool en = taglen >= 2 && tolower((unsigned char)tag[0]) == 'e' &&
                  tolower((unsigned char)tag[1]) == 'n' && (taglen == 2 || tag[2] == '-');
        if ((es || en) && q > 0 && q > best_q) {
            best_q = q;
            best = es ? LANG_ES : LANG_EN;
        }
    }
    return best;
}

static const char *const messages[MSG_COUNT][2] = {
    [MSG_REQUIRED] = {"is required", "es obligatorio"},
    [MSG_NOT_STRING] = {"must be a string", "debe ser un texto"},
    [MSG_NOT_INTEGER] = {"must be an integer", "debe ser un número entero"},
    [MSG_NOT_BOOLEAN] = {"must be true or false", "debe ser true o false"},
    [MSG_NOT_ARRAY] = {"must be an array", "debe ser una lista"},
    [MSG_NOT_OBJECT] = {"must be an object", "debe ser un objeto"},
    [MSG_TOO_SHORT] = {"must have at least %ld characters", "debe tener al menos %ld caracteres"},
    [MSG_TOO_LONG] = {"must have at most %ld characters", "debe tener como máximo %ld caracteres"},
    [MSG_EMAIL] = {"must be an email address", "debe ser una dirección de correo"},
    [MSG_ONE_OF] = {"must be one of: %s", "debe ser uno de: %s"},
    [MSG_MUST_BE_TRUE] = {"must be true", "debe ser true"},
    [MSG_WEAK_PASSWORD] = {"is too easy to guess; use a longer phrase or more varied characters",
                           "es demasiado fácil de adivinar; use una frase más larga o caracteres "
                           "más variados"},
    [MSG_COUNTRY] = {"must be an ISO 3166-1 alpha-2 code such as PE",
                     "debe ser un código ISO 3166-1 alfa-2 como PE"},
    [MSG_UUID] = {"must be a UUID", "debe ser un UUID"},
    [MSG_WRONG_PASSWORD] = {"is not your current password", "no es su contraseña actual"},
    [MSG_DUPLICATE] = {"is repeated", "está repetido"},
    [MSG_CONTROL_CHARS] = {"must not contain control characters",
                           "no debe contener caracteres de control"},
    [MSG_DATE] = {"must be a date as YYYY-MM-DD", "debe ser una fecha AAAA-MM-DD"},
    [MSG_INSTANT] = {"must be an RFC 3339 date and time with an offset, e.g. "
                     "2026-05-01T09:00:00-05:00",
                     "debe ser una fecha y hora RFC 3339 con desfase, p. ej. "
                     "2026-05-01T09:00:00-05:00"},
    [MSG_RANGE] = {"must be a whole number from %s", "debe ser un número entero de %s"},
    [MSG_SLUG] = {"must be lower-case letters and digits in words joined by single hyphens, at "
                  "most 64 characters",
                  "debe tener letras minúsculas y dígitos en palabras unidas por guiones "
                  "simples, como máximo 64 caracteres"},
    [MSG_CODE] = {"must be 1 to 32 lower-case letters, digits, '-' or '_', starting with a "
                  "letter or digit",
                  "debe tener de 1 a 32 letras minúsculas, dígitos, '-' o '_', empezando por "
                  "letra o dígito"},
    [MSG_NOT_BEFORE] = {"must not be before %s", "no debe ser anterior a %s"},
    [MSG_AFTER] = {"must be after %s", "debe ser posterior a %s"},
    [MSG_TIMEZONE] = {"must be an IANA time zone such as America/Lima",
                      "debe ser una zona horaria IANA como America/Lima"},
    [MSG_UNKNOWN] = {"does not exist in this edition", "no existe en esta edición"},
    [MSG_SECTOR_CLOSED] = {"is not open to your sector", "no está abierta a su sector"},
    [MSG_NOT_OFFERED] = {"is not offered by this category", "no se ofrece en esta categoría"},
    [MSG_TAKEN] = {"is already used by another edition", "ya lo usa otra edición"},
    [MSG_BACKWARDS] = {"can only move forward: draft, published, closed, archived",
                       "solo puede avanzar: draft, published, closed, archived"},
    [MSG_CURRENCY] = {"must be an ISO 4217 code such as PEN",
                      "debe ser un código ISO 4217 como PEN"},
    [MSG_EMPTY] = {"must not be empty", "no debe estar vacío"},
    [MSG_NOT_UTF8] = {"must be valid UTF-8 text", "debe ser texto UTF-8 válido"},
    [MSG_QUERY] = {"must be name=value pairs joined by '&', without %00",
                   "debe ser pares nombre=valor unidos por '&', sin %00"},
    [MSG_TAKEN_HERE] = {"is already used in this edition", "ya se usa en esta edición"},
    [MSG_NO_ACCOUNT] = {"is not an account", "no es una cuenta"},
    [MSG_NO_ORGANIZATION] = {"is not an organization", "no es una organización"},
    [MSG_NO_PACT] = {"is not a pact", "no es un pacto"},
    [MSG_NOT_LATER_EDITION] = {"must be a pact of a later edition than the commitment's",
                               "debe ser un pacto de una edición posterior a la del compromiso"},
    [MSG_NO_PARENT] = {"must be the id of a top-level commitment of this pact",
                       "debe ser el id de un compromiso de primer nivel de este pacto"},
    [MSG_NOT_FUTURE] = {"must be a date not after today (the edition's local date)",
                        "debe ser una fecha no posterior a hoy (fecha local de la edición)"},
    [MSG_OUTSIDE_EDITION] = {"must lie within the edition's dates (%s)",
                             "debe estar dentro de las fechas de la edición (%s)"},
    [MSG_OUTSIDE_ROOM_HOURS] = {"must lie within the room's opening hours (%s)",
                                "debe estar dentro del horario de la sala (%s)"},
    [MSG_BELOW_RESERVED] = {"must not be below the %s seats already reserved",
                            "no debe ser menor que los %s cupos ya reservados"},
    [MSG_CURSOR] = {"must be a cursor this list handed out",
                    "debe ser un cursor que esta lista entregó"},
    [MSG_TAX_ID] = {"must be 4 to 20 letters, digits or hyphens (a RUC has 11 digits)",
                    "debe tener de 4 a 20 letras, dígitos o guiones (un RUC tiene 11 dígitos)"},
    [MSG_URL] = {"must be an http:// or https:// link with a host",
                 "debe ser un enlace http:// o https:// con un servidor"},
    [MSG_INVALID] = {"is not valid", "no es válido"},
    /* practices */
    [MSG_TERRITORY] = {"must be a UBIGEO code of 2, 4 or 6 digits or an ISO 3166-1 alpha-2 "
                       "country other than PE",
                       "debe ser un código UBIGEO de 2, 4 o 6 dígitos o un código ISO 3166-1 "
                       "alfa-2 de un país distinto de PE"},
    [MSG_NO_THEME] = {"is not a theme of the list (GET /v1/practice-themes)",
                      "no es un tema de la lista (GET /v1/practice-themes)"},
    [MSG_NO_DEPARTMENT] = {"must start with the code of a department of Peru (01 to 25)",
                           "debe empezar por el código de un departamento del Perú (01 a 25)"},
    [MSG_NO_EDITION] = {"is not an edition", "no es una edición"},
    [MSG_NO_SESSION] = {"is not a session", "no es una sesión"},
    [MSG_NO_SERIES_EVENT] = {"is not a series event", "no es un evento de la serie"},
    [MSG_NO_COMMITMENT] = {"is not a commitment", "no es un compromiso"},
    [MSG_THEME_CODE] = {"must be lower-case letters and digits in words joined by single '_', "
                        "at most 40 characters",
                        "debe tener letras minúsculas y dígitos en palabras unidas por '_' "
                        "simples, como máximo 40 caracteres"},
    /* account flows */
    [MSG_TOKEN] = {"is not a token gess mailed, or it was used or has expired",
                   "no es un código que gess envió por correo, o ya se usó o venció"},
    [MSG_ONE_CLICK] = {"must be One-Click (RFC 8058)", "debe ser One-Click (RFC 8058)"},
    /* webhooks */
    [MSG_URL_USERINFO] = {"must not hold a user name or password (user:password@)",
                          "no debe llevar usuario ni contraseña (usuario:contraseña@)"},
    [MSG_URL_FRAGMENT] = {"must not have a #fragment", "no debe tener un #fragmento"},
};

/* SQL's validation codes. A code names what is wrong, never how to say
 * it: the words stay in the table above. */
static const struct {
    const char *code;
    enum valid_msg msg;
} codes[] = {
    {"required", MSG_REQUIRED},
    {"not_string", MSG_NOT_STRING},
    {"not_boolean", MSG_NOT_BOOLEAN},
    {"too_long", MSG_TOO_LONG},
    {"one_of", MSG_ONE_OF},
    {"range", MSG_RANGE},
    {"after", MSG_AFTER},
    {"not_before", MSG_NOT_BEFORE},
    {"unknown", MSG_UNKNOWN},
    {"sector_closed", MSG_SECTOR_CLOSED},
    {"not_offered", MSG_NOT_OFFERED},
    {"taken", MSG_TAKEN_HERE},
    {"no_account", MSG_NO_ACCOUNT},
    {"no_organization", MSG_NO_ORGANIZATION},
    {"no_pact", MSG_NO_PACT},
    {"not_later_edition", MSG_NOT_LATER_EDITION},
    {"no_parent", MSG_NO_PARENT},
    {"not_future", MSG_NOT_FUTURE},
    {"outside_edition", MSG_OUTSIDE_EDITION},
    {"outside_room_hours", MSG_OUTSIDE_ROOM_HOURS},
    {"below_reserved", MSG_BELOW_RESERVED},
    /* editions */
    {"edition_taken", MSG_TAKEN},
    {"timezone", MSG_TIMEZONE},
    {"backwards", MSG_BACKWARDS},
    /* practices */
    {"no_theme", MSG_NO_THEME},
    {"no_department", MSG_NO_DEPARTMENT},
    {"no_edition", MSG_NO_EDITION},
    {"no_session", MSG_NO_SESSION},
    {"no_series_event", MSG_NO_SERIES_EVENT},
    {"no_commitment", MSG_NO_COMMITMENT},
    /* account flows */
    {"bad_token", MSG_TOKEN},
};

bool problem_msg_of_code(const char *code, enum valid_msg *msg)
{
    for (size_t i = 0; code != NULL && i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(codes[i].code, code) == 0) {
            *msg = codes[i].msg;
            return true;
        }
    return false;
}

void problem_message(enum lang lang, enum valid_msg msg, long n, const char *s, char *out,
                     size_t outlen)
{
    const char *fmt = messages[msg][lang == LANG_ES ? 1 : 0];
    if (strstr(fmt, "%ld") != NULL)
        snprintf(out, outlen, fmt, n);
    else if (strstr(fmt, "%s") != NULL)
        snprintf(out, outlen, fmt, s ? s : "");
    else
        snprintf(out, outlen, "%s", fmt);
}
