from django.db import models


class AuditAction(models.TextChoices):
    """Every kind of attributable change; apps to come add theirs here."""

    # the Django admin, for the few models it edits (those without a service of their own)
    ADMIN_CREATED = "admin_created", "Création dans l'administration"
    ADMIN_UPDATED = "admin_updated", "Modification dans l'administration"
    ADMIN_DELETED = "admin_deleted", "Suppression dans l'administration"
    # people
    ORGANISATION_UPDATED = "organisation_updated", "Modification d'une organisation"
    ACCOUNT_INVITED = "account_invited", "Invitation d'un compte"
    ROLE_GRANTED = "role_granted", "Attribution d'un rôle"
    ROLE_REVOKED = "role_revoked", "Retrait d'un rôle"
    # referential
    REFERENTIAL_CREATED = "referential_created", "Création dans le référentiel"
    REFERENTIAL_UPDATED = "referential_updated", "Modification du référentiel"
    CRITERION_ADDED = "criterion_added", "Ajout d'un critère"
    CRITERION_UPDATED = "criterion_updated", "Modification d'un critère"
    REGISTRY_IMPORTED = "registry_imported", "Import d'une fiche du répertoire national"
    # pathways
    CANDIDATE_ENROLLED = "candidate_enrolled", "Inscription d'un candidat"
    ENROLMENT_UPDATED = "enrolment_updated", "Modification d'une inscription"
    CONTACTS_APPOINTED = "contacts_appointed", "Désignation du tuteur et du manager"
    TRAINING_SESSION_CREATED = "training_session_created", "Programmation d'une session de formation"
    ATTENDANCE_RECORDED = "attendance_recorded", "Saisie d'une présence"
    ATTENDANCE_REMOVED = "attendance_removed", "Suppression d'une présence"
    FUNDING_REQUEST_DRAWN_UP = "funding_request_drawn_up", "Demande de prise en charge"
    ASSESSOR_ASSIGNED = "assessor_assigned", "Affectation d'un évaluateur"
    # assessments
    ATTESTATION_RECORDED = "attestation_recorded", "Attestation saisie et signée"
    ATTESTATION_SIGNED = "attestation_signed", "Attestation contresignée"
    ATTESTATION_WITHDRAWN = "attestation_withdrawn", "Attestation retirée"
    OBSERVATION_RECORDED = "observation_recorded", "Épreuve observée enregistrée"
    CRITERION_ASSESSED = "criterion_assessed", "Critère évalué"
    BLOCK_DECISION_CONFIRMED = "block_decision_confirmed", "Décision de bloc confirmée"
    # exams
    EXAM_SESSION_CREATED = "exam_session_created", "Création d'une session d'examen"
    EXAM_REGISTERED = "exam_registered", "Inscription d'un candidat à une session d'examen"
    LOCAL_JURY_DATE_SET = "local_jury_date_set", "Date de jury local fixée"
    EXAM_MARKER_APPOINTED = "exam_marker_appointed", "Désignation d'un correcteur de l'épreuve écrite"
    EXAM_MARKER_REMOVED = "exam_marker_removed", "Retrait d'un correcteur de l'épreuve écrite"
    MARK_ENTERED = "mark_entered", "Saisie d'une note"
    MARK_CHANGED = "mark_changed", "Modification d'une note"
    MARK_LOCKED = "mark_locked", "Verrouillage d'une note"
    MARK_UNLOCKED = "mark_unlocked", "Déverrouillage d'une note"
    ANONYMITY_LIFTED = "anonymity_lifted", "Levée d'anonymat de l'épreuve écrite"
    EXAM_DOCUMENTS_REQUESTED = "exam_documents_requested", "Demande des documents d'une session d'examen"
    NATIONAL_JURY_DATE_CHANGED = "national_jury_date_changed", "Report de la date du jury national"
    # juries
    LOCAL_OPINION_GIVEN = "local_opinion_given", "Avis du jury local donné"
    LOCAL_OPINION_CHANGED = "local_opinion_changed", "Avis du jury local modifié"
    DELIBERATION_OPENED = "deliberation_opened", "Délibération du jury national ouverte"
    JURY_ATTENDANCE_RECORDED = "jury_attendance_recorded", "Présences au jury national enregistrées"
    JURY_LIST_MEMBER_ADDED = "jury_list_member_added", "Ajout d'un membre aux listes de la CPNEFP"
    JURY_LIST_MEMBER_WITHDRAWN = "jury_list_member_withdrawn", "Retrait d'un membre des listes de la CPNEFP"
    NATIONAL_JURY_APPOINTED = "national_jury_appointed", "Désignation du jury national"
    NATIONAL_JURY_CHANGED = "national_jury_changed", "Modification de la composition du jury national"
    LOCAL_JURY_MEMBER_APPOINTED = "local_jury_member_appointed", "Désignation d'un membre du jury local"
    LOCAL_JURY_MEMBER_REMOVED = "local_jury_member_removed", "Retrait d'un membre du jury local"
    JURY_CONFLICT_DECLARED = "jury_conflict_declared", "Déclaration d'un conflit d'intérêts"
    JURY_PROPOSAL_ADOPTED = "jury_proposal_adopted", "Proposition du moteur adoptée par le jury national"
    JURY_DECISION_RECORDED = "jury_decision_recorded", "Décision du jury national enregistrée"
    JURY_DECISION_CHANGED = "jury_decision_changed", "Décision du jury national modifiée"
    JURY_DECISION_AMENDED = "jury_decision_amended", "Décision du jury national rectifiée"
    MINUTES_SIGNING_REQUESTED = "minutes_signing_requested", "Demande de signature du procès-verbal"
    MINUTES_SIGNED = "minutes_signed", "Procès-verbal du jury national signé"
    RESULTS_PROCLAIMED = "results_proclaimed", "Proclamation des résultats d'une session"
    AMENDMENT_OPENED = "amendment_opened", "Ouverture d'un rectificatif du jury national"
    RESULTS_NOTICES_SENT = "results_notices_sent", "Envoi des courriels de publication des résultats"
    # certificates
    CERTIFICATE_ISSUED = "certificate_issued", "Émission d'un certificat"
    CERTIFICATE_REVOKED = "certificate_revoked", "Révocation d'un certificat"
    CPF_FLUX_WRITTEN = "cpf_flux_written", "Production d'un flux de déclaration au CPF"
    CPF_RECEIPT_LOADED = "cpf_receipt_loaded", "Chargement d'un accusé de traitement de la Caisse des Dépôts"
    CPF_PASSAGE_CORRECTED = "cpf_passage_corrected", "Passage rejeté par la Caisse des Dépôts, corrigé"
    # vae
    VAE_APPLICATION_CREATED = "vae_application_created", "Création d'une demande de VAE"
    VAE_APPLICATION_UPDATED = "vae_application_updated", "Modification d'une demande de VAE"
    VAE_EXPERIENCE_CHANGED = "vae_experience_changed", "Modification des périodes d'expérience (livret 1)"
    VAE_APPLICATION_FILED = "vae_application_filed", "Dépôt d'une demande de VAE"
    VAE_ADMISSIBILITY_DECIDED = "vae_admissibility_decided", "Décision de recevabilité d'une demande de VAE"
    VAE_ACCOMPANIER_NAMED = "vae_accompanier_named", "Désignation de l'accompagnateur VAE"
    VAE_DOSSIER_WRITTEN = "vae_dossier_written", "Rédaction du dossier de VAE (livret 2)"
    VAE_ATTACHMENT_ADDED = "vae_attachment_added", "Ajout d'une pièce jointe au dossier de VAE"
    VAE_ATTACHMENT_REMOVED = "vae_attachment_removed", "Retrait d'une pièce jointe du dossier de VAE"
    VAE_COMMENT_WRITTEN = "vae_comment_written", "Commentaire sur le dossier de VAE"
    VAE_DOSSIER_SUBMITTED = "vae_dossier_submitted", "Dépôt du dossier de VAE"
    VAE_JURY_APPOINTED = "vae_jury_appointed", "Désignation d'un jury VAE"
    VAE_JURY_CHANGED = "vae_jury_changed", "Modification de la composition d'un jury VAE"
    VAE_CANDIDACY_SCHEDULED = "vae_candidacy_scheduled", "Inscription d'un candidat devant le jury VAE"
    VAE_INTERVIEW_REQUESTED = "vae_interview_requested", "Entretien demandé par le jury VAE"
    VAE_DECISION_RECORDED = "vae_decision_recorded", "Décision du jury VAE enregistrée"
    VAE_MINUTES_SIGNED = "vae_minutes_signed", "Procès-verbal du jury VAE signé"


class DecisionSource(models.TextChoices):
    """Who confirmed an engine's proposal: the assessor of a block, a jury, a VAE jury."""

    ASSESSMENT = "assessment", "Évaluation"
    JURY = "jury", "Jury"
    VAE = "vae", "Validation des acquis de l'expérience"


class JobKind(models.TextChoices):
    """Long work run by the worker beside the web processes."""

    CANDIDATE_IMPORT = "candidate_import", "Import de candidats"
    REGISTRY_IMPORT = "registry_import", "Import de l'export du registre national"
    EXAM_DOCUMENTS = "exam_documents", "Documents d'une session d'examen"
    MINUTES = "minutes", "Procès-verbal signé du jury national"
    CERTIFICATES = "certificates", "Émission des certificats d'une session"
    CPF_FLUX = "cpf_flux", "Flux de déclaration au CPF"
    CPF_RECEIPT = "cpf_receipt", "Accusé de traitement de la Caisse des Dépôts"
    VAE_MINUTES = "vae_minutes", "Procès-verbal signé du jury VAE et certificats"


class JobStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échoué"
