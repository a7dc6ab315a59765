package io.hookline.processor.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.processor.notify.PerKeyRate;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;

/** The dashboard's login: an operator's token exchanged for a signed, HttpOnly, SameSite=Strict cookie. */
@Path(SessionResource.PATH)
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    static final String PATH = "/api/session";

    public record Login(String token) {
    }

    private final Operators operators;
    private final AuditLog audit;
    private final CurrentVertxRequest current;
    /** Login attempts per client address: a token cannot be guessed at the speed of the network. */
    private static final PerKeyRate ATTEMPTS = new PerKeyRate(10, java.time.Duration.ofMinutes(1), 10_000);

    public SessionResource(Operators operators, AuditLog audit, CurrentVertxRequest current) {
        this.operators = operators;
        this.audit = audit;
        this.current = current;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Log in with an operator token; answers the operator, its role and the CSRF token")
    public Response login(Login login) {
        RoutingContext ctx = current.getCurrent();
        String address = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
        if (!operators.enabled()) {
            return Response.ok(view(Operator.ANONYMOUS, "")).build();
        }
        if (!ATTEMPTS.tryAcquire(address, System.nanoTime())) {
            return error(429, "too many login attempts from this address; try again in a minute");
        }
        Optional<Operator> operator = operators.byToken(login == null ? null : login.token());
        if (operator.isEmpty()) {
            audit.record(new Operator("unknown", Operator.Role.READ, "session"), address, "session.login-refused",
                    null, Map.of(), 401);
            return error(401, login == null || login.token() == null ? "the body must be {\"token\": \"<operator token>\"}"
                    : "no operator has this token");
        }
        String cookie = operators.session(operator.get(), Instant.now());
        audit.record(new Operator(operator.get().name(), operator.get().role(), "session"), address, "session.login",
                null, Map.of(), 200);
        boolean secure = "https".equalsIgnoreCase(ctx.request().getHeader("X-Forwarded-Proto"))
                || ctx.request().isSSL();
        return Response.ok(view(operator.get(), operators.csrfFor(cookie)))
                .cookie(new NewCookie.Builder(ApiAccess.SESSION_COOKIE).value(cookie).path("/")
                        .maxAge((int) operators.sessionLifetime().toSeconds()).httpOnly(true).secure(secure)
                        .sameSite(NewCookie.SameSite.STRICT).build())
                .build();
    }

    @GET
    @Operation(summary = "Who this login (or bearer token) is")
    public Response whoAmI() {
        RoutingContext ctx = current.getCurrent();
        if (!operators.enabled()) {
            return Response.ok(view(Operator.ANONYMOUS, "")).build();
        }
        String authorization = ctx.request().getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return operators.byToken(authorization.substring(7).strip()).map(o -> Response.ok(view(o, "")).build())
                    .orElseGet(() -> error(401, "no operator has this token"));
        }
        Cookie cookie = ctx.request().getCookie(ApiAccess.SESSION_COOKIE);
        return Optional.ofNullable(cookie).flatMap(c -> operators.bySession(c.getValue(), Instant.now()))
                .map(o -> Response.ok(view(o, operators.csrfFor(cookie.getValue()))).build())
                .orElseGet(() -> error(401, "not logged in"));
    }

    @DELETE
    @Operation(summary = "Log out: the cookie is cleared")
    public Response logout() {
        return Response.noContent().cookie(new NewCookie.Builder(ApiAccess.SESSION_COOKIE).value("").path("/")
                .maxAge(0).httpOnly(true).sameSite(NewCookie.SameSite.STRICT).build()).build();
    }

    private static Map<String, Object> view(Operator operator, String csrf) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("operator", operator.name());
        view.put("role", operator.role().name().toLowerCase(java.util.Locale.ROOT));
        view.put("csrf", csrf);
        return view;
    }

    private static Response error(int status, String sentence) {
        return Response.status(status).entity(Map.of("error", sentence)).build();
    }
}
