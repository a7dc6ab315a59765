package io.hookline.processor.notify.console;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.hookline.processor.notify.Messages;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;

/** Writes the alert to the processor's log (category hookline.alerts): what a newcomer sees with nothing configured. */
@ApplicationScoped
public class ConsoleNotifier implements Notifier {

    private static final Logger ALERTS = Logger.getLogger("hookline.alerts");

    @Override
    public String type() {
        return "console";
    }

    @Override
    public Result send(Notification notification) {
        ALERTS.infof("ALERT %s (%s)", Messages.headline(notification), notification.groupKey());
        if (notification.grouped()) {
            for (var alert : notification.alerts()) {
                ALERTS.infof("ALERT   - %s (%s)", Messages.describe(alert), alert.getAlertKey());
            }
        }
        return Result.delivered(null);
    }
}
