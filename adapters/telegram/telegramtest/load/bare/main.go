// Command bare is the yardstick of the load tool: a stateless bot on
// go-telegram/bot that only answers each button and edits the message to
// the next screen. No database, no state, no guide: what any bot on this
// library costs at the least.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	b, err := tgbot.New(os.Getenv("TELEGRAM_BOT_TOKEN"),
		tgbot.WithServerURL(os.Getenv("TELEGRAM_API_URL")),
		tgbot.WithDefaultHandler(handle),
		tgbot.WithWorkers(16),
	)
	if err != nil {
		log.Error("bare bot", "err", err)
		os.Exit(1)
	}
	b.Start(ctx)
}

// screen is the n-th screen: a line of text and a Next button.
func screen(n int) (string, *models.InlineKeyboardMarkup) {
	return fmt.Sprintf("<b>Step %d</b>\n\nThe text of step %d.", n, n), &models.InlineKeyboardMarkup{
		InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Next ▶", CallbackData: "n:" + strconv.Itoa(n+1)}}},
	}
}

func handle(ctx context.Context, b *tgbot.Bot, u *models.Update) {
	switch {
	case u.Message != nil:
		text, kb := screen(1)
		b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: text, ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		b.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID})
		n, _ := strconv.Atoi(strings.TrimPrefix(q.Data, "n:"))
		if m := q.Message.Message; m != nil {
			text, kb := screen(n)
			b.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: m.Chat.ID, MessageID: m.ID, Text: text, ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
		}
	}
}
