//! Every string a participant reads, in English, Spanish and French.
//!
//! One table per language, indexed by [`Msg`]: the cheapest form in bytes, and a missing
//! translation is a compile error (the arrays have a fixed length). Which message a survey
//! status or a contract error code shows is decided here too ([`Msg::of_status`],
//! [`Msg::of_error`]), and nowhere else.
//!
//! This file depends only on the contract crate: the end-to-end tests compile it as a module
//! of their own (`crates/e2e/src/i18n.rs`), so they read the very tables the widget ships.

use redcap_resume_contract::{ErrorCode, SurveyStatus};

/// A built-in language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    Fr,
}

impl Lang {
    /// The language for a BCP 47 tag (`es`, `fr-CA`, `EN-gb`), if it is one we have.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        [("en", Lang::En), ("es", Lang::Es), ("fr", Lang::Fr)]
            .into_iter()
            .find(|(p, _)| primary.eq_ignore_ascii_case(p))
            .map(|(_, l)| l)
    }

    /// The tag written into the card's `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
        }
    }

    /// The text of `msg` in this language.
    pub fn t(self, msg: Msg) -> &'static str {
        let table = match self {
            Lang::En => &EN,
            Lang::Es => &ES,
            Lang::Fr => &FR,
        };
        table[msg as usize]
    }
}

/// The messages. Order = order of the tables below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    YourSurvey,
    YourSurveys,
    Loading,
    LoadingList,
    ListReady,
    ListEmpty,
    NotStarted,
    InProgress,
    Completed,
    Unknown,
    Resume,
    Start,
    CodeLabel,
    Copy,
    Copied,
    CopyFailed,
    OrLink,
    TryAgain,
    /// "Try again" while the server's `Retry-After` runs, before "{seconds} s".
    TryAgainIn,
    /// The page's CSP (`form-action`) refused the resume form: the link and code still work.
    FormBlocked,
    SignedOut,
    Forbidden,
    UnknownSurvey,
    RecordNotFound,
    ResumeNotAvailable,
    RateLimited,
    UpstreamUnavailable,
    UpstreamMisconfigured,
    Internal,
    Network,
    Config,
}

impl Msg {
    /// What a survey's status says.
    pub fn of_status(status: SurveyStatus) -> Msg {
        match status {
            SurveyStatus::NotStarted => Msg::NotStarted,
            SurveyStatus::InProgress => Msg::InProgress,
            SurveyStatus::Completed => Msg::Completed,
            SurveyStatus::Unknown => Msg::Unknown,
        }
    }

    /// What an error card says for a contract error code (never the server's own wording).
    pub fn of_error(code: ErrorCode) -> Msg {
        match code {
            ErrorCode::NotSignedIn => Msg::SignedOut,
            ErrorCode::Forbidden => Msg::Forbidden,
            ErrorCode::UnknownSurvey => Msg::UnknownSurvey,
            ErrorCode::RecordNotFound => Msg::RecordNotFound,
            ErrorCode::ResumeNotAvailable => Msg::ResumeNotAvailable,
            ErrorCode::RateLimited => Msg::RateLimited,
            ErrorCode::UpstreamUnavailable => Msg::UpstreamUnavailable,
            ErrorCode::UpstreamMisconfigured => Msg::UpstreamMisconfigured,
            ErrorCode::Internal => Msg::Internal,
        }
    }
}

const N: usize = Msg::Config as usize + 1;

const EN: [&str; N] = [
    "Your survey",
    "Your surveys",
    "Loading your survey…",
    "Loading your surveys…",
    "Here are your surveys.",
    "You have no surveys to resume right now.",
    "Not started yet.",
    "In progress — you can continue where you stopped.",
    "You have completed this survey — thank you.",
    "You can continue where you stopped.",
    "Resume survey",
    "Start survey",
    "Your return code",
    "Copy code",
    "Copied",
    "Could not copy. Select the code and copy it.",
    "Or open this link and enter your code",
    "Try again",
    "Try again in",
    "This page could not open the survey. Open the link below and enter your return code.",
    "Please sign in to see your survey.",
    "You do not have access to this survey.",
    "This survey could not be found. Please contact the study team.",
    "We could not find your study record. Please contact the study team.",
    "This survey cannot be resumed online. Please contact the study team.",
    "There are too many requests right now. Please try again in a moment.",
    "The survey system is not available right now. Please try again later.",
    "The survey system is not set up correctly. Please contact the study team.",
    "Something went wrong. Please try again later.",
    "We could not reach the server. Check your connection and try again.",
    "This survey card is not set up correctly: its endpoint must be on this website.",
];

const ES: [&str; N] = [
    "Su encuesta",
    "Sus encuestas",
    "Cargando su encuesta…",
    "Cargando sus encuestas…",
    "Estas son sus encuestas.",
    "No tiene encuestas para continuar en este momento.",
    "Aún no ha comenzado.",
    "En curso: puede continuar donde se detuvo.",
    "Ha completado esta encuesta. ¡Gracias!",
    "Puede continuar donde se detuvo.",
    "Continuar encuesta",
    "Comenzar encuesta",
    "Su código de retorno",
    "Copiar código",
    "Copiado",
    "No se pudo copiar. Seleccione el código y cópielo.",
    "O abra este enlace e introduzca su código",
    "Reintentar",
    "Reintentar en",
    "Esta página no pudo abrir la encuesta. Abra el enlace de abajo e introduzca su código de retorno.",
    "Inicie sesión para ver su encuesta.",
    "No tiene acceso a esta encuesta.",
    "No se encontró esta encuesta. Comuníquese con el equipo del estudio.",
    "No encontramos su registro del estudio. Comuníquese con el equipo del estudio.",
    "Esta encuesta no se puede continuar en línea. Comuníquese con el equipo del estudio.",
    "Hay demasiadas solicitudes en este momento. Inténtelo de nuevo en un momento.",
    "El sistema de encuestas no está disponible ahora. Inténtelo más tarde.",
    "El sistema de encuestas no está bien configurado. Comuníquese con el equipo del estudio.",
    "Algo salió mal. Inténtelo más tarde.",
    "No pudimos conectar con el servidor. Revise su conexión e inténtelo de nuevo.",
    "Esta tarjeta de encuesta no está bien configurada: su endpoint debe estar en este sitio web.",
];

const FR: [&str; N] = [
    "Votre questionnaire",
    "Vos questionnaires",
    "Chargement de votre questionnaire…",
    "Chargement de vos questionnaires…",
    "Voici vos questionnaires.",
    "Vous n’avez aucun questionnaire à reprendre pour le moment.",
    "Pas encore commencé.",
    "En cours : vous pouvez reprendre là où vous vous êtes arrêté.",
    "Vous avez terminé ce questionnaire. Merci !",
    "Vous pouvez reprendre là où vous vous êtes arrêté.",
    "Reprendre le questionnaire",
    "Commencer le questionnaire",
    "Votre code de retour",
    "Copier le code",
    "Copié",
    "Copie impossible. Sélectionnez le code et copiez-le.",
    "Ou ouvrez ce lien et saisissez votre code",
    "Réessayer",
    "Réessayer dans",
    "Cette page n’a pas pu ouvrir le questionnaire. Ouvrez le lien ci-dessous et saisissez votre code de retour.",
    "Veuillez vous connecter pour voir votre questionnaire.",
    "Vous n’avez pas accès à ce questionnaire.",
    "Ce questionnaire est introuvable. Veuillez contacter l’équipe de l’étude.",
    "Votre dossier d’étude est introuvable. Veuillez contacter l’équipe de l’étude.",
    "Ce questionnaire ne peut pas être repris en ligne. Veuillez contacter l’équipe de l’étude.",
    "Il y a trop de demandes en ce moment. Veuillez réessayer dans un instant.",
    "Le système de questionnaires n’est pas disponible pour le moment. Veuillez réessayer plus tard.",
    "Le système de questionnaires est mal configuré. Veuillez contacter l’équipe de l’étude.",
    "Une erreur s’est produite. Veuillez réessayer plus tard.",
    "Impossible de joindre le serveur. Vérifiez votre connexion et réessayez.",
    "Cette carte de questionnaire est mal configurée : son endpoint doit être sur ce site.",
];
