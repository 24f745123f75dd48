//! `@errkb settings` (a card, saved in place) and `@errkb experts @person @tag` in a Teams channel
//! over HTTP with the wiremock Bot Framework, by admins listed in `ERRKB_CHANNEL_ADMINS` (by Teams
//! id or Entra object id), and the polite refusal for anyone else.

use crate::bot_framework;
use crate::common;

use errkb::store::AnswerMode;
use serde_json::{Value, json};

use super::support::{CHANNEL, bench, bench_with, card_of, invoke, mention, post_activity};

#[tokio::test]
async fn settings_are_a_card_for_an_admin_and_a_polite_refusal_for_anyone_else() {
    let b = bench().await;
    let mut ask = post_activity(&b, "5001", "settings", true);
    ask["from"] = json!({"id": "29:admin", "name": "Admin"});
    b.send(&ask).await;
    let (_, reply) = b.wait_posted(1).await.remove(0);
    let card = card_of(&reply).clone();
    assert!(
        card.to_string().contains("Input.ChoiceSet") && card.to_string().contains("Still stuck calls in: nobody yet"),
        "{card}"
    );
    let data = json!({"answer_mode": "auto", "probe_buttons": "false"});
    let body: Value = b.send(&invoke(&b, "channel_settings", &data, ("29:admin", "Admin"))).await.json().await.unwrap();
    assert!(body["value"].to_string().contains("also pasted errors"), "{body}");
    let saved = b.app.state.store.channel_settings("teams", CHANNEL).await.unwrap().unwrap();
    assert_eq!(
        (saved.answer_mode, saved.probe_buttons, saved.updated_by.as_str()),
        (AnswerMode::Auto, false, "29:admin")
    );
    assert_eq!(saved.channel_name.as_deref(), Some("Support"));
    let refused: Value = b
        .send(&invoke(&b, "channel_settings", &json!({"answer_mode": "mention"}), ("29:ada", "Ada")))
        .await
        .json()
        .await
        .unwrap();
    assert!(refused["value"].to_string().contains("only channel admins"), "{refused}");
    let unchanged = b.app.state.store.channel_settings("teams", CHANNEL).await.unwrap().unwrap();
    assert_eq!(unchanged.answer_mode, AnswerMode::Auto, "the refused save changed nothing");
    b.send(&post_activity(&b, "5002", "settings", true)).await;
    let (_, refusal) = b.wait_posted(2).await.remove(1);
    assert!(card_of(&refusal).to_string().contains("only channel admins"));
}

#[tokio::test]
async fn experts_are_chosen_by_mentioning_them_and_an_admin_listed_by_entra_object_id_may_do_it() {
    let options =
        common::Options { extra_env: vec![("ERRKB_CHANNEL_ADMINS".into(), "aad-ada".into())], ..Default::default() };
    let b = bench_with(options, bot_framework::microsoft().await).await;
    let mut set = post_activity(&b, "6001", "experts <at>Grace</at> <at>Identity team</at>", true);
    let tag = json!({"type": "mention", "mentioned": {"id": "tag-1", "name": "Identity team", "type": "tag"}, "text": "<at>Identity team</at>"});
    set["entities"].as_array_mut().unwrap().extend([mention("29:grace", "Grace"), tag]);
    b.send(&set).await;
    let (_, reply) = b.wait_posted(1).await.remove(0);
    assert!(card_of(&reply).to_string().contains("Still stuck calls in: Grace, Identity team"), "{reply}");
    let saved = b.app.state.store.channel_settings("teams", CHANNEL).await.unwrap().unwrap();
    let kinds: Vec<(&str, &str)> = saved.escalation.iter().map(|t| (t.kind.as_str(), t.id.as_str())).collect();
    assert_eq!(kinds, [("user", "29:grace"), ("tag", "tag-1")], "the bot's own mention is not an expert");
    b.send(&post_activity(&b, "6002", "experts none", true)).await;
    b.wait_posted(2).await;
    assert!(b.app.state.store.channel_settings("teams", CHANNEL).await.unwrap().unwrap().escalation.is_empty());
}
