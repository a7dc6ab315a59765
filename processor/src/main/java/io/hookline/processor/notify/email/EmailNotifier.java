package io.hookline.processor.notify.email;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.hookline.processor.notify.Messages;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.processor.notify.Receiver;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.AlertEvent;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;

/** E-mail over SMTP, one client per receiver; SMTP 4xx answers and connection failures are retried, 5xx are not. */
@ApplicationScoped
public class EmailNotifier implements Notifier {

    private final Vertx vertx;
    private final ConcurrentHashMap<String, MailClient> clients = new ConcurrentHashMap<>();

    public EmailNotifier(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public String type() {
        return "email";
    }

    @Override
    public Result send(Notification notification) {
        Receiver receiver = notification.receiver();
        MailClient client = clients.computeIfAbsent(receiver.name(), name -> MailClient.create(vertx, config(receiver)));
        // One line: a newline in a job's error text must never become a header of the mail.
        String subject = Messages.oneLine(Messages.headline(notification));
        MailMessage message = new MailMessage()
                .setFrom(receiver.config(EmailConfig.class).from())
                .setTo(receiver.config(EmailConfig.class).to())
                .setSubject(Excerpt.of(subject, 180))
                .setText(body(notification));
        message.addHeader("X-Hookline-Id", notification.id());
        try {
            client.sendMail(message).toCompletionStage().toCompletableFuture()
                    .get(receiver.timeout().toMillis(), TimeUnit.MILLISECONDS);
            return Result.delivered(null);
        } catch (TimeoutException e) {
            return Result.retry(null, null, "the SMTP server did not answer within " + receiver.timeout().toSeconds() + " s");
        } catch (ExecutionException e) {
            String why = String.valueOf(e.getCause().getMessage());
            boolean permanent = why.matches("(?s).*\\b5\\d\\d\\b.*");
            return permanent ? Result.giveUp(null, "SMTP refused: " + why) : Result.retry(null, null, "SMTP: " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.retry(null, null, "interrupted");
        }
    }

    /** The headline, then one block per alert (a single block unless the route groups). */
    static String body(Notification notification) {
        StringBuilder body = new StringBuilder(Messages.headline(notification)).append("\n");
        for (AlertEvent alert : notification.alerts()) {
            body.append("\n");
            if (notification.grouped()) {
                body.append(Messages.describe(alert)).append("\n");
            }
            body.append("Job:       ").append(alert.getJobKey())
                    .append(alert.getJobName() == null ? "" : " (" + alert.getJobName() + ")").append("\n")
                    .append("Host:      ").append(alert.getHost() == null ? "-" : alert.getHost()).append("\n")
                    .append("Since:     ").append(alert.getStartsAt()).append("\n")
                    .append(alert.getEndsAt() == null ? "" : "Ended:     " + alert.getEndsAt() + "\n")
                    .append("Alert:     ").append(alert.getAlertKey()).append(" (step ").append(alert.getSequence()).append(")\n")
                    .append("Events:    ").append(String.join(", ", alert.getEventIds())).append("\n");
        }
        if (notification.link() != null) {
            body.append("\nDetails:   ").append(notification.link()).append("\n");
        }
        return body.append("\n-- Hookline").toString();
    }

    private static MailConfig config(Receiver receiver) {
        EmailConfig smtp = receiver.config(EmailConfig.class);
        MailConfig config = new MailConfig()
                .setHostname(smtp.host())
                .setPort(smtp.port())
                .setStarttls(StartTLSOptions.valueOf(smtp.starttls().toUpperCase(java.util.Locale.ROOT)))
                .setConnectTimeout((int) Duration.ofSeconds(5).toMillis());
        if (smtp.username() != null) {
            config.setUsername(smtp.username()).setPassword(smtp.password());
        }
        return config;
    }

    @PreDestroy
    void close() {
        clients.values().forEach(MailClient::close);
    }
}
