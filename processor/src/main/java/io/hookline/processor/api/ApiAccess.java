package io.hookline.processor.api;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.ProcessorConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Who may call what, decided before any endpoint runs: {@code /api/*} (and {@code /q/metrics} when protected)
 * need an operator, by {@code Authorization: Bearer <token>} or the dashboard's login cookie. Reading needs the
 * read role, every change the operate role; a change sent with the cookie must also carry the CSRF token the
 * login returned, so that another site cannot make a browser silence alerts. {@code /q/health} stays open.
 */
@ApplicationScoped
public class ApiAccess {

    public static final String SESSION_COOKIE = "hookline_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    static final String OPERATOR = "hookline.operator";
    private static final Logger LOG = Logger.getLogger(ApiAccess.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Operators operators;
    private final boolean protectMetrics;

    public ApiAccess(Operators operators, ProcessorConfig config) {
        this.operators = operators;
        this.protectMetrics = config.api().protectMetrics();
    }

    void onStart(@Observes StartupEvent start) {
        if (!operators.problems().isEmpty()) {
            throw new IllegalStateException("the API's operators are misconfigured: " + String.join("; ",
                    operators.problems()));
        }
        if (!operators.enabled()) {
            LOG.warn("hookline.api.auth-enabled=false: anyone who reaches this port can silence alerts and page people");
        } else if (!operators.anyConfigured()) {
            LOG.warn("no operator is configured (hookline.api.users.<name>.role and .token): the API refuses every call");
        } else {
            LOG.infof("API operators: %s", operators.summary());
        }
    }

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 10).handler(this::check);
    }

    /** The operator of the current call (set by {@link #check}). */
    public static Operator of(RoutingContext context) {
        Operator operator = context == null ? null : context.get(OPERATOR);
        return operator == null ? Operator.ANONYMOUS : operator;
    }

    private void check(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        boolean api = path.startsWith("/api/") || path.equals("/api");
        boolean metrics = path.startsWith("/q/metrics");
        if (!api && !(metrics && protectMetrics)) {
            ctx.next();
            return;
        }
        if (!operators.enabled()) {
            ctx.put(OPERATOR, Operator.ANONYMOUS);
            ctx.next();
            return;
        }
        if (path.equals(SessionResource.PATH)) {
            // Login and logout decide for themselves.
            ctx.next();
            return;
        }
        // The prune simulator is a POST that changes nothing: reading, too.
        boolean reading = ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD
                || ctx.request().method() == HttpMethod.OPTIONS || path.equals("/api/retention/simulate");
        Optional<Operator> operator = Optional.empty();
        String authorization = ctx.request().getHeader("Authorization");
        Cookie session = ctx.request().getCookie(SESSION_COOKIE);
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                refuse(ctx, 401, "the Authorization header must be 'Bearer <operator token>'");
                return;
            }
            operator = operators.byToken(authorization.substring(7).strip());
            if (operator.isEmpty()) {
                refuse(ctx, 401, "no operator has this token");
                return;
            }
        } else if (session != null) {
            operator = operators.bySession(session.getValue(), Instant.now());
            if (operator.isEmpty()) {
                refuse(ctx, 401, "the login has expired or is not valid: log in again");
                return;
            }
            if (!reading && !operators.csrfMatches(session.getValue(), ctx.request().getHeader(CSRF_HEADER))) {
                refuse(ctx, 403, "a change made with the login cookie must send the " + CSRF_HEADER
                        + " header that the login returned");
                return;
            }
        }
        if (operator.isEmpty()) {
            refuse(ctx, 401, operators.anyConfigured()
                    ? "this API needs an operator: send Authorization: Bearer <token>, or log in on the dashboard"
                    : "no operator is configured: set hookline.api.users.<name>.role and .token (see README, Security)");
            return;
        }
        Operator.Role needed = reading ? Operator.Role.READ : Operator.Role.OPERATE;
        if (!operator.get().role().allows(needed)) {
            refuse(ctx, 403, "operator " + operator.get().name() + " has the read role; silences, replays and test "
                    + "messages need the operate role");
            return;
        }
        ctx.put(OPERATOR, operator.get());
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, int status, String sentence) {
        try {
            var response = ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json");
            if (status == 401) {
                response.putHeader("WWW-Authenticate", "Bearer realm=\"hookline\"");
            }
            response.end(JSON.writeValueAsString(Map.of("error", sentence)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
